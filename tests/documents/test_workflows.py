"""Uploads start the tenant's workflow exactly once; new versions restart it."""

from __future__ import annotations

import json

import pytest

from docuflow.documents import services
from docuflow.documents.models import Document
from docuflow.engine.models import Execution
from tests.documents import factories
from tests.documents.conftest import DOCS

pytestmark = pytest.mark.django_db


def execution(arn: str) -> Execution:
    return Execution.objects.get(arn=arn)


def test_without_a_bound_workflow_nothing_starts(users, make_document):
    doc = make_document()
    assert doc["workflow_arn"] == "" and doc["status"] == "UPLOADED"
    assert Execution.objects.count() == 0


def test_an_upload_starts_the_bound_workflow_once(users, tenant, machine, make_document):
    services.bind_workflow(tenant, machine)
    doc = make_document(document_type="INVOICE", title="March invoice")
    run = execution(doc["workflow_arn"])
    assert run.status == "RUNNING"
    assert run.name == f"doc-{doc['id']}-v1"
    assert json.loads(run.input) == {
        "document_id": doc["id"],
        "tenant_id": "acme-corp",
        "document_type": "INVOICE",
        "version": 1,
        "storage_key": f"tenants/acme-corp/documents/{doc['id']}/v1",
        "content_type": "application/pdf",
        "title": "March invoice",
    }
    # Starting again for the same version finds the same execution.
    document = Document.objects.get(pk=doc["id"])
    assert services.start_workflow(document) == doc["workflow_arn"]
    assert Execution.objects.count() == 1


def test_the_type_specific_workflow_wins_over_the_default(users, tenant, machine, make_document):
    invoices = factories.state_machine(tenant, "invoice-workflow")
    services.bind_workflow(tenant, machine)
    services.bind_workflow(tenant, invoices, "INVOICE")
    invoice = make_document(document_type="INVOICE")
    report = make_document(document_type="REPORT")
    assert execution(invoice["workflow_arn"]).state_machine == invoices
    assert execution(report["workflow_arn"]).state_machine == machine


def test_a_pre_signed_upload_starts_the_workflow_when_content_arrives(
    users, tenant, machine, api, backend
):
    services.bind_workflow(tenant, machine)
    client = api(users["UPLOADER"])
    doc = client.post(DOCS, {"title": "Later"}, format="json").json()
    assert doc["workflow_arn"] == ""
    client.put(f"{DOCS}{doc['id']}/content/", data=factories.PDF, content_type="application/pdf")
    arn = client.get(f"{DOCS}{doc['id']}/").json()["workflow_arn"]
    assert execution(arn).status == "RUNNING"


def test_a_new_version_aborts_the_running_workflow_and_starts_a_fresh_one(
    users, tenant, machine, api, make_document
):
    services.bind_workflow(tenant, machine)
    doc = make_document()
    first = doc["workflow_arn"]
    Document.objects.filter(pk=doc["id"]).update(status="PENDING_APPROVAL", extracted_data={"a": 1})
    response = api(users["UPLOADER"]).put(
        f"{DOCS}{doc['id']}/content/", data=factories.TXT, content_type="text/plain"
    )
    body = response.json()
    assert execution(first).status == "ABORTED"
    assert body["workflow_arn"] != first
    assert execution(body["workflow_arn"]).name == f"doc-{doc['id']}-v2"
    assert execution(body["workflow_arn"]).status == "RUNNING"
    assert body["status"] == "UPLOADED" and body["extracted_data"] == {}


def test_start_workflow_by_hand(users, tenant, machine, api, make_document):
    doc = make_document()
    manager = api(users["MANAGER"])
    url = f"{DOCS}{doc['id']}/start-workflow/"
    response = manager.post(url)
    assert response.status_code == 409 and "No workflow" in response.json()["detail"]
    services.bind_workflow(tenant, machine)
    assert api(users["UPLOADER"]).post(url).status_code == 403
    assert api(users["REVIEWER"]).post(url).status_code == 403
    started = manager.post(url)
    assert started.status_code == 200
    arn = started.json()["workflow_arn"]
    assert execution(arn).status == "RUNNING"
    again = manager.post(url)
    assert again.status_code == 409
    assert again.json() == {
        "detail": "Document already has an active workflow.",
        "status_code": 409,
        "code": "conflict",
    }
    services.stop_workflow(Document.objects.get(pk=doc["id"]), cause="test")
    restarted = manager.post(url)
    assert restarted.status_code == 200 and restarted.json()["workflow_arn"] != arn


def test_start_workflow_without_content_is_409(users, tenant, machine, api):
    services.bind_workflow(tenant, machine)
    doc = api(users["MANAGER"]).post(DOCS, {"title": "Empty"}, format="json").json()
    response = api(users["MANAGER"]).post(f"{DOCS}{doc['id']}/start-workflow/")
    assert response.status_code == 409 and "no content" in response.json()["detail"]


def test_delete_stops_the_running_workflow(users, tenant, machine, api, make_document):
    services.bind_workflow(tenant, machine)
    doc = make_document()
    assert api(users["MANAGER"]).delete(f"{DOCS}{doc['id']}/").status_code == 204
    assert execution(doc["workflow_arn"]).status == "ABORTED"


def test_a_machine_of_another_tenant_cannot_be_bound(tenant, other_tenant):
    foreign = factories.state_machine(other_tenant, "theirs")
    with pytest.raises(ValueError):
        services.bind_workflow(tenant, foreign)


def test_workflow_handlers_read_verified_content(users, tenant, make_document, backend):
    doc = make_document(content=factories.PDF)
    version = services.version_of("acme-corp", doc["id"])
    assert version.number == 1
    assert b"".join(services.content(version)) == factories.PDF
    with services.local_copy(version) as path:
        assert path.read_bytes() == factories.PDF
    assert not path.exists()
    with pytest.raises(services.DocumentVersion.DoesNotExist):
        services.version_of("globex", doc["id"])
