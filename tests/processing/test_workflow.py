"""The default workflow's installation, reruns, status changes and task failures."""

from __future__ import annotations

import json

import pytest

from docuflow.audit.models import AuditEntry
from docuflow.documents import services as documents
from docuflow.documents.models import Document, DocumentWorkflow
from docuflow.engine import clock
from docuflow.engine import services as engine
from docuflow.engine.models import Execution, StateMachine
from docuflow.engine.resources import TaskContext, TaskError
from docuflow.extraction import testdata as td
from docuflow.processing import services, tasks
from docuflow.processing.status import set_document_status
from tests.factories import TenantFactory
from tests.processing.conftest import DOCS, RULES, drain, status_of

pytestmark = pytest.mark.django_db


def ctx(key: str = "k") -> TaskContext:
    return TaskContext("acme-corp", "arn:x", "S", "t", 1, None, key, clock.now())


# --- installation ---------------------------------------------------------------------------


def test_the_shipped_workflows_are_installed_once_per_tenant(tenant, other_tenant):
    binding = services.ensure_default_workflow(tenant)
    assert binding.document_type is None
    assert binding.state_machine.name == "docuflow-multi-stage-review"
    definition = json.loads(binding.state_machine.definition)
    assert definition["States"]["ExtractDocumentText"]["Resource"] == (
        f"arn:aws:lambda:us-east-1:{tenant.account_id}:function:docuflow-extract"
    )
    installed = StateMachine.objects.filter(tenant=tenant)
    assert sorted(installed.values_list("name", flat=True)) == sorted(services.SHIPPED_WORKFLOWS)
    for machine in installed:
        assert engine.check_definition(machine.definition) == [], machine.name
    assert services.ensure_default_workflow(tenant).pk == binding.pk
    assert installed.count() == len(services.SHIPPED_WORKFLOWS)
    # After migrate, every tenant has it (the post_migrate handler calls this).
    TenantFactory(slug="initech")
    assert services.ensure_default_workflows() == 3
    assert DocumentWorkflow.objects.filter(document_type__isnull=True).count() == 3


def test_a_tenant_s_own_default_workflow_is_left_alone(tenant):
    from tests.documents.factories import state_machine

    review = state_machine(tenant, "full-review")
    documents.bind_workflow(tenant, review)
    assert services.ensure_default_workflow(tenant).state_machine == review
    # The shipped ones are there to bind, but the tenant's choice stays the default.
    assert StateMachine.objects.filter(tenant=tenant, name=services.DEFAULT_WORKFLOW_NAME).exists()


def test_a_changed_shipped_definition_updates_the_tenant_s_machine(tenant):
    binding = services.ensure_default_workflow(tenant)
    machine = binding.state_machine
    engine.update_state_machine(
        machine, definition=json.dumps({"StartAt": "X", "States": {"X": {"Type": "Succeed"}}})
    )
    services.ensure_default_workflow(tenant)
    machine.refresh_from_db()
    assert machine.definition == services.shipped_definition(tenant)


# --- status changes --------------------------------------------------------------------------


def test_a_status_change_is_audited_once_and_guarded(tenant, users, workflow, upload, files):
    doc = upload(td.text_pdf(files / "a.pdf", [["hello"]]))
    changed = set_document_status(doc["id"], "EXTRACTING", expected={"UPLOADED"})
    assert changed.status == "EXTRACTING"
    # Not in the expected statuses, or not the current version: ignored.
    assert set_document_status(doc["id"], "VALIDATING", expected={"UPLOADED"}) is None
    assert set_document_status(doc["id"], "VALIDATING", expected_version=7) is None
    # Same status again: no new audit entry.
    set_document_status(doc["id"], "EXTRACTING")
    entries = AuditEntry.objects.filter(action="document.status", object_id=doc["id"])
    assert [e.details for e in entries] == [{"from": "UPLOADED", "to": "EXTRACTING"}]
    assert status_of(doc["id"]) == "EXTRACTING"
    assert set_document_status("00000000-0000-0000-0000-000000000000", "EXTRACTING") is None
    with pytest.raises(ValueError):
        set_document_status(doc["id"], "DONE")


def test_late_results_for_an_old_version_change_nothing(users, workflow, upload, files):
    doc = upload(td.text_pdf(files / "a.pdf", [["Invoice Number: INV-1"]]))
    Document.objects.filter(pk=doc["id"]).update(version=2, status="PENDING_APPROVAL")
    for handler in (tasks.extract_task, tasks.validate_task):
        with pytest.raises(TaskError) as failure:
            handler({"document_id": doc["id"], "version": 1}, ctx())
        assert failure.value.error == "Extraction.Superseded"
    answer = tasks.set_status_task(
        {"document_id": doc["id"], "version": 1, "status": "VALIDATION_FAILED"}, ctx()
    )
    assert answer == {"document_id": doc["id"], "status": None, "changed": False}
    assert status_of(doc["id"]) == "PENDING_APPROVAL"


def test_set_status_refuses_bad_input(users, workflow, upload, files):
    doc = upload(td.text_pdf(files / "a.pdf", [["hello"]]))
    for payload in (
        None,
        {},
        {"document_id": "not-a-uuid", "status": "APPROVED"},
        {"document_id": doc["id"], "status": "NOPE"},
        {"document_id": doc["id"], "status": "APPROVED", "expected": "UPLOADED"},
        {"document_id": doc["id"], "status": "APPROVED", "version": "1"},
    ):
        with pytest.raises(TaskError) as failure:
            tasks.set_status_task(payload, ctx())
        assert failure.value.error == "DocuFlow.InvalidInput"
    assert status_of(doc["id"]) == "UPLOADED"


def test_a_workflow_reaches_only_its_own_tenant_s_documents(users, workflow, upload, files):
    doc = upload(td.text_pdf(files / "a.pdf", [["hello"]]))
    theirs = TaskContext("globex", "arn:x", "S", "t", 1, None, "k", clock.now())
    for handler, payload in (
        (tasks.extract_task, {"document_id": doc["id"]}),
        (tasks.validate_task, {"document_id": doc["id"]}),
        (tasks.set_status_task, {"document_id": doc["id"], "status": "APPROVED"}),
    ):
        with pytest.raises(TaskError) as failure:
            handler(payload, theirs)
        assert failure.value.error == "DocuFlow.DocumentNotFound"
    assert status_of(doc["id"]) == "UPLOADED"


def test_error_names_are_typed():
    assert tasks.error_name("password_protected") == "Extraction.PasswordProtected"
    assert tasks.error_name("resource_limit") == "Extraction.ResourceLimit"


# --- transient failures ------------------------------------------------------------------------


class FakeClock:
    def __init__(self, start) -> None:
        self.now = start

    def __call__(self):
        return self.now


@pytest.fixture
def fake_clock():
    from datetime import timedelta

    fake = FakeClock(clock.now())
    clock.set_source(fake)
    fake.advance = lambda seconds: setattr(fake, "now", fake.now + timedelta(seconds=seconds))
    yield fake
    clock.set_source(None)


def test_an_unreadable_store_is_retried_then_marks_the_document(
    api, users, workflow, upload, files, vault, fake_clock
):
    doc = upload(td.text_pdf(files / "a.pdf", [["Invoice Number: INV-1"]]))
    blob = vault / f"tenants/acme-corp/documents/{doc['id']}/v1"
    content = blob.read_bytes()
    blob.unlink()
    drain()
    assert status_of(doc["id"]) == "EXTRACTING"  # waiting for the retry, not failed
    fake_clock.advance(5)
    drain()
    fake_clock.advance(10)
    drain()
    fake_clock.advance(20)
    drain()
    answer = Document.objects.get(pk=doc["id"])
    assert answer.status == "EXTRACTION_FAILED"
    assert answer.extracted_data["failure_reason"]["code"] == "storage_unavailable"
    run = Execution.objects.get(arn=doc["workflow_arn"])
    assert run.status == "SUCCEEDED"
    failures = run.events.filter(type="LambdaFunctionFailed").count()
    assert failures == 4  # the first attempt and three retries

    # Once the store answers again, a manager's rerun extracts it.
    blob.write_bytes(content)
    assert api(users["MANAGER"]).post(f"{DOCS}{doc['id']}/extraction/rerun/").status_code == 202
    drain()
    answer.refresh_from_db()
    assert answer.status == "VALIDATION_FAILED"  # read this time; only fields are missing
    assert answer.extracted_data["key_values"] == {"Invoice Number": "INV-1"}


# --- rerun -----------------------------------------------------------------------------------


def test_a_rerun_applies_changed_rules(api, users, upload, files):
    path = td.text_pdf(files / "thin.pdf", [["Northwind Traders", "Invoice Number: INV-2024-0042"]])
    doc = upload(path)
    drain()
    assert status_of(doc["id"]) == "VALIDATION_FAILED"
    manager = api(users["MANAGER"])
    relaxed = {"document_type": "INVOICE", "rules": {"required": ["Invoice Number"]}}
    assert manager.post(RULES, relaxed, format="json").status_code == 201

    url = f"{DOCS}{doc['id']}/extraction/rerun/"
    answer = manager.post(url)
    assert answer.status_code == 202, answer.content
    assert answer.json()["workflow_arn"] != doc["workflow_arn"]
    again = manager.post(url)
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    drain()
    assert status_of(doc["id"]) == "PENDING_APPROVAL"
    body = api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/extraction/").json()
    assert body["validation"]["passed"] is True
    assert AuditEntry.objects.filter(action="document.extraction_rerun").count() == 1


def test_who_may_rerun_and_when(api, users, outsider, upload, files):
    doc = upload(td.text_pdf(files / "a.pdf", [["Invoice Number: INV-1"]]))
    url = f"{DOCS}{doc['id']}/extraction/rerun/"
    for role in ("UPLOADER", "REVIEWER"):
        assert api(users[role]).post(url).status_code == 403
    assert api(outsider).post(url).status_code == 404
    assert api(users["ADMIN"]).post(url).status_code == 409  # its first run is still running
    drain()
    Document.objects.filter(pk=doc["id"]).update(status="APPROVED")
    decided = api(users["ADMIN"]).post(url)
    assert decided.status_code == 409 and "APPROVED" in decided.json()["detail"]
    empty = api(users["MANAGER"]).post(DOCS, {"title": "empty"}, format="json").json()
    assert api(users["MANAGER"]).post(f"{DOCS}{empty['id']}/extraction/rerun/").status_code == 409
