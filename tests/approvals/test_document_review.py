"""The shipped document review workflows, end to end in process: upload, extraction,
validation, the reviewer's decision through the documents API, archive, e-mails."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from docuflow.approvals.models import ApprovalSettings, HumanTask
from docuflow.audit.models import AuditEntry
from docuflow.documents import storage
from docuflow.documents.models import Document, DocumentVersion
from docuflow.documents.services import bind_workflow
from docuflow.engine.models import Execution, StateMachine
from docuflow.extraction import testdata as td
from docuflow.processing import services as processing
from tests.approvals.conftest import drain
from tests.factories import UserFactory
from tests.processing.conftest import files, invoice_pdf, invoice_truth, vault  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = "/api/v1/documents/"


@pytest.fixture
def review(tenant, vault):  # noqa: F811
    """The tenant's shipped workflows, the multi-stage review bound to every type."""
    return processing.ensure_default_workflow(tenant)


@pytest.fixture
def upload(api, users, review):
    def send(path, document_type="INVOICE", user=None):
        body = {
            "title": path.stem,
            "document_type": document_type,
            "file": SimpleUploadedFile(path.name, path.read_bytes(), "application/pdf"),
        }
        response = api(user or users["UPLOADER"]).post(DOCS, body, format="multipart")
        assert response.status_code == 201, response.content
        return response.json()

    return send


def rules(tenant, **values) -> None:
    ApprovalSettings.objects.update_or_create(tenant=tenant, defaults=values)


def task_of(doc_id, **filters) -> HumanTask:
    return HumanTask.objects.get(subject_type="document", subject_id=doc_id, **filters)


def approve(client, doc_id, notes=""):
    return client.post(f"{DOCS}{doc_id}/approve/", {"notes": notes}, format="json")


def reject(client, doc_id, reason):
    return client.post(f"{DOCS}{doc_id}/reject/", {"reason": reason}, format="json")


def execution_of(doc_id) -> Execution:
    return Execution.objects.get(arn=Document.objects.get(pk=doc_id).workflow_arn)


def test_approved_documents_are_archived_and_the_uploader_told(
    upload, api, users, tenant, invoice_pdf  # noqa: F811
):
    rules(tenant, second_stage_amount=Decimal("99999999"))
    doc = upload(invoice_pdf)
    drain()
    reviewer = api(users["REVIEWER"])
    assert reviewer.get(f"{DOCS}{doc['id']}/").json()["status"] == "PENDING_APPROVAL"
    task = task_of(doc["id"])
    assert task.status == "PENDING" and task.candidate_roles == ["REVIEWER"]
    assert task.final and task.stage == "review"
    assert task.excluded_users.filter(pk=users["UPLOADER"].pk).exists()
    # The document became PENDING_APPROVAL together with its task: never one without it.
    waiting = AuditEntry.objects.get(
        object_id=doc["id"], action="document.status", details__to="PENDING_APPROVAL"
    )
    assert waiting.details["task_id"] == str(task.pk)
    asked = [m for m in mail.outbox if users["REVIEWER"].email in m.to]
    assert asked and "Approval needed" in asked[0].subject
    assert task.task_token_id not in asked[0].body  # the token is a capability

    response = approve(reviewer, doc["id"], "numbers match")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "APPROVED" and body["review_notes"] == "numbers match"
    assert body["reviewed_by"] == str(users["REVIEWER"].pk)
    # Approved once; a second approval changes nothing.
    again = approve(reviewer, doc["id"])
    assert again.status_code == 409 and "already decided" in again.json()["detail"]

    drain()
    assert Document.objects.get(pk=doc["id"]).status == "ARCHIVED"
    assert execution_of(doc["id"]).status == "SUCCEEDED"
    version = DocumentVersion.objects.get(document_id=doc["id"])
    assert version.storage_key == storage.archive_key(tenant.pk, doc["id"], 1)
    backend = storage.get_storage()
    assert backend.exists(version.storage_key)
    assert not backend.exists(storage.version_key(tenant.pk, doc["id"], 1))
    content = b"".join(backend.read(version.storage_key))
    assert content == invoice_pdf.read_bytes()
    told = [m for m in mail.outbox if users["UPLOADER"].email in m.to]
    assert len(told) == 1 and "approved and archived" in told[0].subject
    trail = list(
        AuditEntry.objects.filter(object_id=doc["id"], action="document.status")
        .order_by("created_at")
        .values_list("details__to", flat=True)
    )
    assert trail[-2:] == ["APPROVED", "ARCHIVED"]


def test_rejection_needs_a_reason_and_a_reviewer_of_this_tenant(
    upload, api, users, tenant, outsider, invoice_pdf  # noqa: F811
):
    rules(tenant, second_stage_amount=Decimal("99999999"))
    doc = upload(invoice_pdf)
    drain()
    reviewer = api(users["REVIEWER"])
    missing = reviewer.post(f"{DOCS}{doc['id']}/reject/", {}, format="json")
    assert missing.status_code == 422 and "reason" in missing.json()["errors"]
    blank = reject(reviewer, doc["id"], "   ")
    assert blank.status_code == 422
    assert reject(api(users["UPLOADER"]), doc["id"], "no").status_code == 403
    stranger = UserFactory(tenant=outsider.tenant, role="REVIEWER", email="r@other.test")
    assert reject(api(stranger), doc["id"], "no").status_code == 404
    assert approve(api(outsider), doc["id"]).status_code == 404
    malformed = reviewer.post(f"{DOCS}{doc['id']}/reject/", "{", content_type="application/json")
    assert malformed.status_code == 400
    assert task_of(doc["id"]).status == "PENDING"
    assert Document.objects.get(pk=doc["id"]).status == "PENDING_APPROVAL"

    response = reject(reviewer, doc["id"], "wrong vendor")
    assert response.status_code == 200 and response.json()["status"] == "REJECTED"
    assert approve(reviewer, doc["id"]).status_code == 409
    drain()
    assert Document.objects.get(pk=doc["id"]).status == "REJECTED"
    output = json.loads(execution_of(doc["id"]).output)
    assert output["document_id"] == doc["id"]  # the failure states keep the id
    told = [m for m in mail.outbox if users["UPLOADER"].email in m.to]
    assert len(told) == 1 and "wrong vendor" in told[0].body


def test_the_uploader_may_not_approve_their_own_document(upload, api, users, tenant, invoice_pdf):  # noqa: F811
    rules(tenant, second_stage_amount=Decimal("99999999"))
    doc = upload(invoice_pdf, user=users["MANAGER"])
    drain()
    answer = approve(api(users["MANAGER"]), doc["id"])
    assert answer.status_code == 409 and "not waiting for your decision" in answer.json()["detail"]
    assert approve(api(users["REVIEWER"]), doc["id"]).status_code == 200


def test_a_large_invoice_needs_a_manager_after_the_reviewer(
    upload, api, users, tenant, invoice_pdf, invoice_truth  # noqa: F811
):
    rules(tenant, second_stage_amount=Decimal(invoice_truth.total) - 1)
    doc = upload(invoice_pdf)
    drain()
    first = task_of(doc["id"])
    assert first.final is False
    reviewer = api(users["REVIEWER"])
    answer = approve(reviewer, doc["id"], "ok by me")
    assert answer.status_code == 200 and answer.json()["status"] == "PENDING_APPROVAL"
    drain()
    second = task_of(doc["id"], status="PENDING")
    assert second.stage == "manager" and second.candidate_roles == ["MANAGER"]
    assert second.excluded_users.filter(pk=users["REVIEWER"].pk).exists()
    assert approve(reviewer, doc["id"]).status_code == 409  # the reviewer's stage is over
    answer = approve(api(users["MANAGER"]), doc["id"], "large but fine")
    assert answer.status_code == 200 and answer.json()["status"] == "APPROVED"
    drain()
    assert Document.objects.get(pk=doc["id"]).status == "ARCHIVED"


def _parallel(tenant, approvers, required):
    machine = StateMachine.objects.get(tenant=tenant, name="docuflow-parallel-review")
    bind_workflow(tenant, machine, "INVOICE")
    rules(
        tenant,
        parallel_approvers=[str(u.pk) for u in approvers],
        parallel_required_approvals=required,
    )


def test_parallel_review_needs_n_of_m_approvals(upload, api, users, tenant, invoice_pdf):  # noqa: F811
    second = UserFactory(tenant=tenant, role="REVIEWER", email="r2@acme.test")
    third = UserFactory(tenant=tenant, role="REVIEWER", email="r3@acme.test")
    _parallel(tenant, [users["REVIEWER"], second, third], 2)
    doc = upload(invoice_pdf)
    drain()
    task = task_of(doc["id"])
    assert task.required_approvals == 2 and task.candidate_users.count() == 3
    assert approve(api(users["MANAGER"]), doc["id"]).status_code == 409  # not named
    first = approve(api(users["REVIEWER"]), doc["id"], "one")
    assert first.status_code == 200 and first.json()["status"] == "PENDING_APPROVAL"
    assert approve(api(users["REVIEWER"]), doc["id"]).status_code == 409  # voted already
    assert api(users["REVIEWER"]).get("/api/v1/approvals/").json()["count"] == 0
    assert api(second).get("/api/v1/approvals/").json()["count"] == 1
    done = approve(api(second), doc["id"], "two")
    assert done.status_code == 200 and done.json()["status"] == "APPROVED"
    assert approve(api(third), doc["id"]).status_code == 409
    drain()
    assert Document.objects.get(pk=doc["id"]).status == "ARCHIVED"
    votes = json.loads(execution_of(doc["id"]).output)["approval"]["votes"]
    assert [v["decision"] for v in votes] == ["APPROVED", "APPROVED"]


def test_parallel_review_rejects_once_n_approvals_are_out_of_reach(
    upload, api, users, tenant, invoice_pdf  # noqa: F811
):
    second = UserFactory(tenant=tenant, role="REVIEWER", email="r2@acme.test")
    third = UserFactory(tenant=tenant, role="MANAGER", email="m2@acme.test")
    _parallel(tenant, [users["REVIEWER"], second, third], 2)
    doc = upload(invoice_pdf)
    drain()
    assert reject(api(users["REVIEWER"]), doc["id"], "no").json()["status"] == "PENDING_APPROVAL"
    answer = reject(api(second), doc["id"], "no either")
    assert answer.status_code == 200 and answer.json()["status"] == "REJECTED"
    drain()
    assert Document.objects.get(pk=doc["id"]).status == "REJECTED"


def test_an_undecided_review_escalates_to_the_managers(
    upload, api, users, tenant, invoice_pdf, fake_clock  # noqa: F811
):
    rules(tenant, second_stage_amount=Decimal("99999999"), escalate_after_seconds=3600)
    doc = upload(invoice_pdf)
    drain()
    first = task_of(doc["id"])
    assert api(users["MANAGER"]).get("/api/v1/approvals/").json()["count"] == 1  # by rank
    fake_clock.advance(3601)
    drain()
    first.refresh_from_db()
    assert first.status == "ESCALATED"
    escalated = task_of(doc["id"], status="PENDING")
    assert escalated.candidate_roles == ["REVIEWER", "MANAGER"]
    told = [m for m in mail.outbox if users["MANAGER"].email in m.to]
    assert any("Escalated" in m.subject for m in told)
    assert Document.objects.get(pk=doc["id"]).status == "PENDING_APPROVAL"
    answer = approve(api(users["MANAGER"]), doc["id"])
    assert answer.status_code == 200 and answer.json()["status"] == "APPROVED"
    drain()
    assert Document.objects.get(pk=doc["id"]).status == "ARCHIVED"


def test_validation_and_extraction_failures_keep_the_id_and_tell_the_uploader(
    upload, users, files  # noqa: F811
):
    empty = upload(td.text_pdf(files / "empty.pdf", [["nothing to see here"]]))
    broken_path = files / "broken.pdf"
    broken_path.write_bytes(b"%PDF-1.7\nthis is not a pdf at all")
    broken = upload(broken_path)
    drain()
    assert Document.objects.get(pk=empty["id"]).status == "VALIDATION_FAILED"
    assert Document.objects.get(pk=broken["id"]).status == "EXTRACTION_FAILED"
    for doc in (empty, broken):
        assert execution_of(doc["id"]).status == "SUCCEEDED"
        assert json.loads(execution_of(doc["id"]).output)["document_id"] == doc["id"]
    subjects = [m.subject for m in mail.outbox if users["UPLOADER"].email in m.to]
    assert any("failed validation" in s for s in subjects)
    assert any("could not be read" in s for s in subjects)
