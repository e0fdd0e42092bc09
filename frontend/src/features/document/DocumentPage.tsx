export default function DocumentPage() { return <div className="page">DocumentPage</div>; }
