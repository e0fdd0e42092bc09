export default function UploadPage() { return <div className="page">UploadPage</div>; }
