export default function ReviewPage() { return <div className="page">ReviewPage</div>; }
