export default function CertificationPage() { return <div className="page">CertificationPage</div>; }
