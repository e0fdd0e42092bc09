"""``/api/v1/workflows/``: executions seen through the documents they drive."""

import json

import pytest

from docuflow.documents.models import Document
from docuflow.engine import services as engine
from docuflow.engine.worker import Worker

pytestmark = pytest.mark.django_db

REVIEW = {
    "StartAt": "Extract",
    "States": {
        "Extract": {"Type": "Pass", "Result": {"ok": True}, "ResultPath": "$.extraction", "Next": "WaitForApproval"},
        "WaitForApproval": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "docuflow-echo", "Payload": {"t.$": "$$.Task.Token"}},
            "End": True,
        },
    },
}  # fmt: skip


def document_with_workflow(tenant, user, **fields) -> Document:
    machine = engine.create_state_machine(tenant, "review", json.dumps(REVIEW), "")
    document = Document.objects.create(
        tenant=tenant, title=fields.pop("title", "Invoice"), document_type="INVOICE",
        uploaded_by=user, **fields,
    )  # fmt: skip
    execution = engine.start_execution(machine, json.dumps({"document_id": str(document.pk)}))
    Worker().run_once()
    document.workflow_arn = execution.arn
    document.save(update_fields=["workflow_arn"])
    return document


def test_status_of_a_documents_workflow(api, users, tenant):
    document = document_with_workflow(tenant, users["UPLOADER"])
    response = api(users["UPLOADER"]).get(f"/api/v1/workflows/{document.pk}/status/")
    assert response.status_code == 200
    body = response.json()
    assert body["document_id"] == str(document.pk)
    assert body["execution_arn"] == document.workflow_arn
    assert (body["status"], body["current_state"]) == ("RUNNING", "WaitForApproval")
    assert body["elapsed_seconds"] >= 0
    assert body["states_history"][0]["state"] == "Extract"
    assert body["states_history"][0]["status"] == "SUCCEEDED"
    assert isinstance(body["states_history"][0]["duration_ms"], int)
    assert body["states_history"][1] == {
        "state": "WaitForApproval", "status": "RUNNING", "duration_ms": None
    }  # fmt: skip


def test_list_filters_by_status(api, users, tenant):
    document = document_with_workflow(tenant, users["UPLOADER"])
    client = api(users["REVIEWER"])
    rows = client.get("/api/v1/workflows/", {"status": "RUNNING"}).json()
    assert rows["count"] == 1
    assert rows["results"][0]["document_id"] == str(document.pk)
    assert rows["results"][0]["document_title"] == "Invoice"
    assert rows["results"][0]["current_state"] == "WaitForApproval"
    assert client.get("/api/v1/workflows/", {"status": "SUCCEEDED"}).json()["count"] == 0
    assert client.get("/api/v1/workflows/", {"from": "2999-01-01"}).json()["count"] == 0


def test_restricted_documents_hide_their_workflows(api, users, tenant):
    document = document_with_workflow(
        tenant, users["MANAGER"], title="Payroll", visibility=Document.Visibility.RESTRICTED
    )
    uploader = api(users["UPLOADER"])
    assert uploader.get(f"/api/v1/workflows/{document.pk}/status/").status_code == 404
    assert uploader.get("/api/v1/workflows/").json()["count"] == 0
    assert api(users["ADMIN"]).get("/api/v1/workflows/").json()["count"] == 1


def test_other_tenants_and_bad_input(api, users, tenant, outsider):
    document = document_with_workflow(tenant, users["UPLOADER"])
    response = api(outsider).get(f"/api/v1/workflows/{document.pk}/status/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api(outsider).get("/api/v1/workflows/").json()["count"] == 0
    assert api(users["UPLOADER"]).get("/api/v1/workflows/", {"status": "NOPE"}).status_code == 422
    assert api(users["UPLOADER"]).get("/api/v1/workflows/", {"from": "nope"}).status_code == 422
    assert api().get("/api/v1/workflows/").status_code == 401


def test_a_document_without_workflow_is_404(api, users, tenant):
    document = Document.objects.create(tenant=tenant, title="Bare", document_type="INVOICE")
    assert api(users["UPLOADER"]).get(f"/api/v1/workflows/{document.pk}/status/").status_code == 404
