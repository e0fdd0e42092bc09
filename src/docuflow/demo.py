"""The demo documents of ``docuflow demo``: one of each interesting state, made for real.

The demo tenant's uploader uploads generated documents through the vault's upload
service; the workflow engine runs their shipped review workflow in this process (a
worker loop, with a time bound); the demo reviewer decides through the same service as
``POST /documents/{id}/approve/``. Nothing is written to the database directly, so what
a new user sees is what the product does:

========================================  ==================================================
document                                   left as
========================================  ==================================================
Northwind Traders invoice                  ARCHIVED (approved by the reviewer)
Initech Systems invoice                    PENDING_APPROVAL (waiting for a REVIEWER)
Stark Industrial invoice (over 10,000)     PENDING_APPROVAL (reviewer approved; a MANAGER's turn)
Corner Café receipt                        REJECTED (by the reviewer, with a reason)
scanned memo filed as an invoice           VALIDATION_FAILED (no invoice fields)
damaged upload                             EXTRACTION_FAILED (not a readable PDF)
certification request                      PENDING (waiting for a MANAGER)
========================================  ==================================================

Running it again converges instead of duplicating: a sample that exists (same title,
same uploader) is not uploaded again, and a decision is taken only while the document
still waits for it. Work left when the time bound passes is durable: the server's
embedded worker finishes it, and the next ``docuflow demo`` takes the decisions.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from docuflow.accounts.models import Tenant, User
from docuflow.extraction import testdata as td

UPLOADER = "user@acme-corp.docuflow.io"
REVIEWER = "reviewer@acme-corp.docuflow.io"
TIME_LIMIT = 60.0
IN_FLIGHT = ("UPLOADED", "EXTRACTING", "VALIDATING")
CONSOLE_MAIL = "django.core.mail.backends.console.EmailBackend"


def _invoice(number: str, vendor: str, items, layout: int = 0) -> Callable[[Path], Path]:
    total = sum(Decimal(amount) for _, _, _, amount in items)
    truth = td.InvoiceTruth(
        invoice_number=number,
        date="2026-03-02",
        total=f"{total:.2f}",
        currency="USD",
        vendor_name=vendor,
        vendor_address=["221 Market Street", "Springfield, IL 62704"],
        customer_name="Acme Corporation",
        items=items,
    )
    return lambda path: td.invoice_pdf(path, truth, layout=layout)


def _receipt(path: Path) -> Path:
    cv = td.PdfCanvas(str(path))
    cv.text(306, 40, "Corner Cafe", 16, bold=True, align="center")
    cv.text(306, 62, "12 Elm Drive, Portland, OR 97205", 9, align="center")
    cv.text(306, 90, "SALES RECEIPT", 12, bold=True, align="center")
    cv.text(50, 120, "Receipt No: R-20931", 10)
    cv.text(50, 136, "Date: 2026-03-14", 10)
    lines = [("Team lunch (6 people)", "84.00"), ("Coffee and pastries", "23.50")]
    for i, (what, amount) in enumerate(lines):
        cv.text(50, 170 + i * 16, what, 10)
        cv.text(560, 170 + i * 16, f"${amount}", 10, align="right")
    cv.text(400, 220, "Total:", 11, bold=True)
    cv.text(560, 220, "$107.50", 11, bold=True, align="right")
    cv.finish()
    return path


def _memo(path: Path) -> Path:
    lines = [
        "Memo to the finance team",
        "Please find the scanned delivery notes for March attached separately.",
        "The supplier will send the matching invoice next week.",
    ]
    return td.text_pdf(path, [lines], size=11)


def _damaged(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n% the upload was cut off after its first line\n")
    return path


@dataclass(frozen=True)
class Sample:
    title: str
    filename: str
    document_type: str
    make: Callable[[Path], Path]
    # The reviewer's decision, taken once the document waits for the reviewer.
    decision: str | None = None
    note: str = ""


SAMPLES = [
    Sample(
        "Northwind Traders invoice INV-2026-00042",
        "northwind-INV-2026-00042.pdf",
        "INVOICE",
        _invoice(
            "INV-2026-00042",
            "Northwind Traders",
            [
                ("Printer paper", 40, "6.25", "250.00"),
                ("Consulting hours", 12, "95.00", "1140.00"),
            ],
        ),
        decision="APPROVED",
        note="Amounts match the purchase order.",
    ),
    Sample(
        "Initech Systems invoice INV-2026-00117",
        "initech-INV-2026-00117.pdf",
        "INVOICE",
        _invoice(
            "INV-2026-00117",
            "Initech Systems",
            [
                ("Cloud hosting", 3, "420.00", "1260.00"),
                ("Maintenance plan", 1, "380.00", "380.00"),
            ],
            layout=1,
        ),
    ),
    Sample(
        "Stark Industrial invoice INV-2026-00311",
        "stark-INV-2026-00311.pdf",
        "INVOICE",
        _invoice(
            "INV-2026-00311",
            "Stark Industrial",
            [
                ("Office chairs", 40, "389.00", "15560.00"),
                ("Laptop stand", 40, "62.50", "2500.00"),
            ],
        ),
        decision="APPROVED",
        note="Checked against the furniture budget; over the limit, so a manager signs too.",
    ),
    Sample(
        "Corner Cafe receipt R-20931",
        "corner-cafe-R-20931.pdf",
        "RECEIPT",
        _receipt,
        decision="REJECTED",
        note="Team lunches are booked on the events budget; please resubmit there.",
    ),
    Sample("Scanned memo filed as an invoice", "memo.pdf", "INVOICE", _memo),
    Sample("Damaged upload", "damaged.pdf", "INVOICE", _damaged),
]

CERTIFICATION = {
    "name": "Sam Taylor",
    "course": "AWS Certified Solutions Architect - Associate",
    "cost": Decimal("300.00"),
}


@dataclass
class Outcome:
    documents: list[tuple[str, str]]  # (title, status)
    certification: str | None  # its status
    created: int  # documents uploaded by this run
    finished: bool  # everything settled within the time bound


def seed(tenant_slug: str = "acme-corp", *, time_limit: float = TIME_LIMIT) -> Outcome | None:
    """Upload the samples that are missing, run their workflows, take the decisions.

    None when the tenant or its demo uploader and reviewer are missing (nothing to do).
    """
    from docuflow.documents.models import Document

    tenant = Tenant.objects.filter(slug=tenant_slug).first()
    members = {
        u.email: u
        for u in User.objects.filter(tenant=tenant, is_active=True, email__in=[UPLOADER, REVIEWER])
    }
    if tenant is None or len(members) < 2:
        return None
    uploader, reviewer = members[UPLOADER], members[REVIEWER]
    deadline = time.monotonic() + time_limit

    created = 0
    documents = {}
    with tempfile.TemporaryDirectory(prefix="docuflow-demo-") as tmp:
        for sample in SAMPLES:
            doc = (
                Document.objects.filter(tenant=tenant, uploaded_by=uploader, title=sample.title)
                .order_by("created_at")
                .first()
            )
            if doc is None:
                doc = _upload(uploader, sample, Path(tmp))
                created += 1
            documents[sample.title] = doc.pk
    certification = _certification(uploader)

    ids = list(documents.values())
    settled = _run(deadline, lambda: _processed(ids, certification))
    for sample in SAMPLES:
        if sample.decision:
            _decide(reviewer, documents[sample.title], sample)
    settled = _run(deadline, lambda: _processed(ids, certification)) and settled

    statuses = dict(Document.objects.filter(pk__in=ids).values_list("pk", "status"))
    return Outcome(
        documents=[(s.title, statuses.get(documents[s.title], "DELETED")) for s in SAMPLES],
        certification=_certification_status(certification),
        created=created,
        finished=settled,
    )


def _upload(uploader: User, sample: Sample, workdir: Path):
    from docuflow.documents import ingest
    from docuflow.documents import services as documents

    path = sample.make(workdir / sample.filename)
    with ingest.Spool() as spool, path.open("rb") as source:
        ingest.receive_stream(source.read, spool)
        return documents.upload_document(
            uploader,
            spool,
            filename=sample.filename,
            title=sample.title,
            document_type=sample.document_type,
            via="demo",
        )


def _certification(requester: User):
    from docuflow.approvals import services as approvals
    from docuflow.approvals.models import CertificationRequest

    existing = CertificationRequest.objects.filter(
        tenant_id=requester.tenant_id, requester=requester, course=CERTIFICATION["course"]
    ).first()
    return existing or approvals.submit_certification(requester, **CERTIFICATION)


def _certification_status(req) -> str | None:
    from docuflow.approvals.models import CertificationRequest

    return CertificationRequest.objects.filter(pk=req.pk).values_list("status", flat=True).first()


def _decide(reviewer: User, document_id, sample: Sample) -> None:
    """The reviewer decides, only while the document waits for the reviewer's decision."""
    from docuflow.approvals import services as approvals
    from docuflow.approvals.document_review import decide_document
    from docuflow.approvals.models import HumanTask
    from docuflow.documents.models import Document

    doc = Document.objects.filter(pk=document_id).first()
    if doc is None or doc.status != Document.Status.PENDING_APPROVAL:
        return
    waiting = HumanTask.objects.filter(
        approvals.decidable_filter(reviewer),
        subject_type=HumanTask.Subject.DOCUMENT,
        subject_id=str(doc.pk),
        status=HumanTask.Status.PENDING,
    ).exists()
    if waiting:
        decide_document(reviewer, doc, sample.decision, sample.note)


def _processed(document_ids, certification) -> bool:
    """Every sample got as far as it can without a person, and nothing is due."""
    from docuflow.approvals.models import HumanTask
    from docuflow.documents.models import Document
    from docuflow.engine import clock
    from docuflow.engine.models import Execution, WorkItem

    docs = list(Document.objects.filter(pk__in=document_ids).values("pk", "status", "workflow_arn"))
    if any(d["status"] in IN_FLIGHT or d["status"] == "APPROVED" for d in docs):
        return False
    waiting = {str(d["pk"]) for d in docs if d["status"] == "PENDING_APPROVAL"}
    asked = set(
        HumanTask.objects.filter(
            subject_type=HumanTask.Subject.DOCUMENT,
            subject_id__in=waiting,
            status=HumanTask.Status.PENDING,
        ).values_list("subject_id", flat=True)
    )
    if waiting - asked:
        return False
    if (
        _certification_status(certification) == "PENDING"
        and not HumanTask.objects.filter(
            subject_type=HumanTask.Subject.CERTIFICATION,
            subject_id=str(certification.pk),
            status=HumanTask.Status.PENDING,
        ).exists()
    ):
        return False
    arns = [d["workflow_arn"] for d in docs if d["workflow_arn"]]
    return not WorkItem.objects.filter(
        execution__in=Execution.objects.filter(arn__in=arns + [certification.execution.arn]),
        due_at__lte=clock.now(),
    ).exists()


def _run(deadline: float, done: Callable[[], bool]) -> bool:
    """Run the workflow worker in this process until ``done()`` or the deadline."""
    from docuflow.engine.worker import Worker

    worker = Worker(batch=4)  # small batches: the deadline is checked between them
    while time.monotonic() < deadline:
        ran = worker.run_once()
        if ran == 0:
            if done():
                return True
            time.sleep(0.1)  # a retry's back-off, or another worker's lease
    return done()


@contextmanager
def mail_to_files() -> Iterator[Path | None]:
    """With the console mail backend (the default), the demo's e-mails go to files in
    ``$DOCUFLOW_DATA_DIR/demo-mail/`` instead of flooding the terminal; yields that
    directory. Any other backend (SMTP) is used as configured; yields None."""
    if settings.EMAIL_BACKEND != CONSOLE_MAIL:
        yield None
        return
    folder = Path(settings.DATA_DIR) / "demo-mail"
    folder.mkdir(parents=True, exist_ok=True)
    saved = settings.EMAIL_BACKEND, getattr(settings, "EMAIL_FILE_PATH", None)
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(folder)
    try:
        yield folder
    finally:
        settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = saved
