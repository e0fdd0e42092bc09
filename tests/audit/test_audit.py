"""The append-only audit log and ``GET /api/v1/audit/``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from docuflow.audit import services
from docuflow.audit.models import AppendOnlyError, AuditEntry
from tests.documents import factories

pytestmark = pytest.mark.django_db

AUDIT = "/api/v1/audit/"
DOCS = "/api/v1/documents/"


@pytest.fixture(autouse=True)
def vault(settings, tmp_path):
    settings.DOCUFLOW_STORAGE_BACKEND = "local"
    settings.DOCUFLOW_STORAGE_DIR = str(tmp_path / "vault")


def upload(client, content=factories.PDF, name="invoice.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(DOCS, {"title": "Audited", "file": file}, format="multipart")
    assert response.status_code == 201, response.content
    return response.json()


def test_uploads_urls_downloads_and_deletes_are_recorded(users, api):
    uploader = api(users["UPLOADER"])
    doc = upload(uploader)
    link = uploader.get(f"{DOCS}{doc['id']}/download-url/").json()["url"]
    path = link.split("testserver", 1)[1]
    b"".join(api().get(path, REMOTE_ADDR="203.0.113.9").streaming_content)
    b"".join(uploader.get(f"{DOCS}{doc['id']}/download/", HTTP_RANGE="bytes=0-3").streaming_content)
    assert api(users["MANAGER"]).delete(f"{DOCS}{doc['id']}/").status_code == 204

    response = api(users["MANAGER"]).get(AUDIT, {"object": f"document:{doc['id']}"})
    assert response.status_code == 200
    entries = response.json()["results"]
    assert [e["action"] for e in entries] == [
        "document.deleted",
        "document.downloaded",
        "document.downloaded",
        "document.download_url_issued",
        "document.uploaded",
    ]
    deleted, ranged, signed, issued, uploaded = entries
    assert deleted["actor"] == str(users["MANAGER"].pk)
    assert deleted["actor_email"] == users["MANAGER"].email
    assert uploaded["actor"] == str(users["UPLOADER"].pk) and uploaded["version"] == 1
    assert uploaded["details"]["sha256"] == doc["sha256"]
    assert uploaded["ip"] == "127.0.0.1"
    assert signed["details"] == {"via": "signed_url"} and signed["ip"] == "203.0.113.9"
    assert signed["actor"] == str(users["UPLOADER"].pk)  # the user the link was issued to
    assert ranged["details"] == {"via": "api", "range": "0-3"}
    assert issued["details"] == {"expires_in": 3600}
    assert all(e["object"] == f"document:{doc['id']}" for e in entries)
    datetime.fromisoformat(entries[0]["created_at"].replace("Z", "+00:00"))


def test_filters_by_actor_and_time(users, api, tenant):
    manager = users["MANAGER"]
    for day, actor in ((1, manager), (2, users["UPLOADER"]), (3, manager)):
        entry = AuditEntry(
            tenant=tenant,
            actor=actor,
            actor_email=actor.email,
            action="document.viewed",
            object_type="document",
            object_id="x",
            created_at=datetime(2024, 2, day, 12, tzinfo=UTC),
        )
        entry.save()
    client = api(users["ADMIN"])
    assert client.get(AUDIT, {"actor": str(manager.pk)}).json()["count"] == 2
    assert client.get(AUDIT, {"from": "2024-02-02"}).json()["count"] == 2
    assert client.get(AUDIT, {"to": "2024-02-02"}).json()["count"] == 2
    assert (
        client.get(AUDIT, {"from": "2024-02-02T13:00:00Z", "to": "2024-02-03"}).json()["count"] == 1
    )
    assert client.get(AUDIT, {"action": "document.viewed", "page_size": 1}).json()["next"]


@pytest.mark.parametrize(
    "params",
    [
        {"object": "document"},
        {"object": "document:not-a-uuid"},
        {"actor": "42"},
        {"from": "last week"},
        {"from": "2024-03-01", "to": "2024-02-01"},
    ],
)
def test_bad_filters_are_422(params, users, api):
    response = api(users["MANAGER"]).get(AUDIT, params)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_only_managers_and_admins_read_the_log(users, api):
    assert api(users["UPLOADER"]).get(AUDIT).status_code == 403
    assert api(users["REVIEWER"]).get(AUDIT).json()["code"] == "permission_denied"
    assert api().get(AUDIT).status_code == 401
    assert api(users["MANAGER"]).get(AUDIT).status_code == 200


def test_another_tenants_entries_are_invisible(users, outsider, api):
    doc = upload(api(users["UPLOADER"]))
    response = api(outsider).get(AUDIT, {"object": f"document:{doc['id']}"})
    assert response.status_code == 200 and response.json()["count"] == 0
    assert api(outsider).get(AUDIT).json()["count"] == 0


def test_entries_cannot_be_changed_or_deleted(users, tenant):
    request = RequestFactory().get("/", REMOTE_ADDR="not an address")
    entry = services.record(
        tenant=tenant,
        actor=users["ADMIN"],
        action="document.deleted",
        object_type="document",
        object_id="abc",
        request=request,
    )
    assert entry.ip is None
    entry.action = "document.created"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().action == "document.deleted"


def test_deleting_a_user_leaves_their_entries(users, tenant):
    reviewer = users["REVIEWER"]
    services.record(
        tenant=tenant, actor=reviewer, action="a", object_type="document", object_id="1"
    )
    reviewer.delete()
    entry = AuditEntry.objects.get()
    assert entry.actor_email == "reviewer@acme.test"


def test_the_admin_is_read_only(users):
    admin = site._registry[AuditEntry]
    request = RequestFactory().get("/admin/")
    request.user = users["ADMIN"]
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request)
    assert not admin.has_delete_permission(request)
