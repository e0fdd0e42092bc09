export default function AnalyticsPage() { return <div className="page">AnalyticsPage</div>; }
