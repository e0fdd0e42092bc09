"""``docuflow demo``: sample documents in every interesting state, made through the real
upload service, workflows and decisions; running it again converges, never duplicates."""

from __future__ import annotations

import pytest

from docuflow import demo
from docuflow.accounts.models import User
from docuflow.approvals.models import CertificationRequest, HumanTask
from docuflow.audit.models import AuditEntry
from docuflow.cli import main
from docuflow.documents import storage
from docuflow.documents.models import Document, DocumentVersion
from docuflow.engine.models import Execution, WorkItem
from tests.processing.conftest import vault  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

EXPECTED = {
    "Northwind Traders invoice INV-2026-00042": "ARCHIVED",
    "Initech Systems invoice INV-2026-00117": "PENDING_APPROVAL",
    "Stark Industrial invoice INV-2026-00311": "PENDING_APPROVAL",
    "Corner Cafe receipt R-20931": "REJECTED",
    "Scanned memo filed as an invoice": "VALIDATION_FAILED",
    "Damaged upload": "EXTRACTION_FAILED",
}


def snapshot() -> dict:
    return {
        "documents": Document.objects.count(),
        "versions": DocumentVersion.objects.count(),
        "executions": Execution.objects.count(),
        "tasks": HumanTask.objects.count(),
        "certifications": CertificationRequest.objects.count(),
        "audit": AuditEntry.objects.exclude(action="email.sent").count(),
    }


@pytest.fixture
def demo_env(monkeypatch, settings, vault):  # noqa: F811
    monkeypatch.setenv("DOCUFLOW_DEMO_PASSWORD", "a demo pass phrase")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_demo_documents_reach_every_state_and_a_second_run_changes_nothing(demo_env, capsys):
    from django.core import mail

    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    statuses = dict(Document.objects.values_list("title", "status"))
    assert statuses == EXPECTED
    for title, status in EXPECTED.items():
        assert f"{status:<17} {title}" in out
    assert "PENDING           certification request" in out

    uploader = User.objects.get(email=demo.UPLOADER)
    reviewer = User.objects.get(email=demo.REVIEWER)
    docs = {d.title: d for d in Document.objects.all()}
    assert {d.uploaded_by_id for d in docs.values()} == {uploader.pk}
    # Uploaded through the vault's upload service, one audit entry each.
    uploads = AuditEntry.objects.filter(action="document.uploaded", details__via="demo")
    assert uploads.count() == len(EXPECTED)

    archived = docs["Northwind Traders invoice INV-2026-00042"]
    assert archived.reviewed_by_id == reviewer.pk
    assert archived.review_notes == "Amounts match the purchase order."
    version = DocumentVersion.objects.get(document=archived)
    assert version.storage_key == storage.archive_key("acme-corp", archived.pk, 1)
    assert storage.get_storage().exists(version.storage_key)
    rejected = docs["Corner Cafe receipt R-20931"]
    assert rejected.document_type == "RECEIPT" and rejected.reviewed_by_id == reviewer.pk
    assert "events budget" in rejected.review_notes
    # The large invoice passed the reviewer and now waits for a MANAGER.
    stark = HumanTask.objects.get(
        subject_id=str(docs["Stark Industrial invoice INV-2026-00311"].pk), status="PENDING"
    )
    assert stark.stage == "manager" and stark.candidate_roles == ["MANAGER"]
    waiting = HumanTask.objects.get(
        subject_id=str(docs["Initech Systems invoice INV-2026-00117"].pk)
    )
    assert waiting.status == "PENDING" and waiting.candidate_roles == ["REVIEWER"]
    failed = docs["Damaged upload"].extracted_data["failure_reason"]
    assert failed["code"]
    cert = CertificationRequest.objects.get()
    assert cert.status == "PENDING" and cert.requester_id == uploader.pk
    assert HumanTask.objects.filter(subject_id=str(cert.pk), status="PENDING").exists()
    # The workflows really ran to their end, e-mails included.
    for doc in (archived, rejected, docs["Damaged upload"]):
        assert Execution.objects.get(arn=doc.workflow_arn).status == "SUCCEEDED"
    assert any("approved and archived" in m.subject for m in mail.outbox)

    before = snapshot()
    assert main(["demo"]) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert snapshot() == before
    assert dict(Document.objects.values_list("title", "status")) == EXPECTED


def test_an_interrupted_demo_is_finished_by_the_next_run(demo_env):
    assert main(["demo", "--no-documents"]) == 0
    assert Document.objects.count() == 0
    first = demo.seed(time_limit=0)
    assert not first.finished and first.created == len(EXPECTED)
    assert Document.objects.filter(status="UPLOADED").count() == len(EXPECTED)
    assert WorkItem.objects.exists()  # the work is durable, waiting for a worker

    second = demo.seed(time_limit=120)
    assert second.finished and second.created == 0
    assert dict(Document.objects.values_list("title", "status")) == EXPECTED
    assert CertificationRequest.objects.count() == 1


def test_without_its_users_the_demo_uploads_nothing(demo_env):
    assert main(["demo", "--no-documents"]) == 0
    User.objects.filter(email=demo.REVIEWER).update(is_active=False)
    assert demo.seed(time_limit=5) is None
    assert Document.objects.count() == 0


def test_console_mail_of_the_demo_goes_to_files(settings, tmp_path):
    settings.EMAIL_BACKEND = demo.CONSOLE_MAIL
    settings.DATA_DIR = tmp_path
    with demo.mail_to_files() as folder:
        from django.core.mail import send_mail

        send_mail("hello", "body", "a@b.test", ["c@d.test"])
    assert folder == tmp_path / "demo-mail"
    assert "Subject: hello" in next(folder.iterdir()).read_text()
    assert settings.EMAIL_BACKEND == demo.CONSOLE_MAIL
