"""Tenant isolation, roles and restricted visibility, on every endpoint."""

from __future__ import annotations

import pytest

from docuflow.documents.models import Document
from tests.documents import factories
from tests.documents.conftest import DOCS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def endpoints(doc_id):
    base = f"{DOCS}{doc_id}/"
    return [
        ("get", base, {}),
        ("patch", base, {"data": {"title": "x"}, "format": "json"}),
        ("delete", base, {}),
        ("put", f"{base}content/", {"data": factories.TXT, "content_type": "text/plain"}),
        ("post", f"{base}complete/", {}),
        ("get", f"{base}download-url/", {}),
        ("get", f"{base}download/", {}),
        ("get", f"{base}versions/", {}),
        ("post", f"{base}start-workflow/", {}),
    ]


def test_another_tenants_document_is_404_everywhere(users, outsider, api, make_document, backend):
    doc = make_document()
    client = api(outsider)
    for method, url, kwargs in endpoints(doc["id"]):
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code == 404, (method, url, response.content)
        assert response.json()["code"] == "not_found"
    assert client.get(DOCS).json()["count"] == 0
    assert Document.objects.get().title == "Q1 invoice"
    assert Document.objects.get().version == 1
    assert len(backend.keys()) == 1


def test_unknown_ids_are_404(users, api):
    client = api(users["ADMIN"])
    for method, url, kwargs in endpoints("5b0c8a44-3c1e-4d7e-9d4e-3f9a3c1f1e11"):
        assert getattr(client, method)(url, **kwargs).status_code == 404
    assert client.get(f"{DOCS}not-a-uuid/").status_code == 404


def test_anonymous_requests_are_401(api, make_document):
    doc = make_document()
    for method, url, kwargs in endpoints(doc["id"]):
        assert getattr(api(), method)(url, **kwargs).status_code == 401
    assert api().get(DOCS).json()["code"] == "not_authenticated"


def restrict(api, manager, doc_id, **access):
    response = api(manager).patch(
        f"{DOCS}{doc_id}/", {"visibility": "RESTRICTED", **access}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_restricted_documents_hide_from_everyone_not_allowed(users, api, make_document):
    """The Cloud Vault case: payroll that only HR (here, MANAGERs) may retrieve."""
    doc = make_document(users["MANAGER"], title="Payroll March")
    body = restrict(api, users["MANAGER"], doc["id"], allowed_roles=["MANAGER"])
    assert body["visibility"] == "RESTRICTED" and body["allowed_roles"] == ["MANAGER"]
    for role in ("UPLOADER", "REVIEWER"):
        client = api(users[role])
        assert client.get(DOCS).json()["count"] == 0
        for method, url, kwargs in endpoints(doc["id"]):
            assert getattr(client, method)(url, **kwargs).status_code == 404, (role, method, url)
    other_manager = UserFactory(tenant=users["MANAGER"].tenant, role="MANAGER")
    for user in (users["MANAGER"], users["ADMIN"], other_manager):
        client = api(user)
        assert client.get(DOCS).json()["count"] == 1
        assert client.get(f"{DOCS}{doc['id']}/download/").status_code == 200
        assert client.get(f"{DOCS}{doc['id']}/download-url/").status_code == 200


def test_restricted_documents_can_name_users(users, api, make_document):
    doc = make_document(users["MANAGER"])
    body = restrict(
        api,
        users["MANAGER"],
        doc["id"],
        allowed_roles=[],
        allowed_users=[str(users["REVIEWER"].pk)],
    )
    assert body["allowed_users"] == [str(users["REVIEWER"].pk)]
    assert api(users["REVIEWER"]).get(f"{DOCS}{doc['id']}/").status_code == 200
    assert api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/").status_code == 404
    assert api(users["REVIEWER"]).get(DOCS).json()["count"] == 1


def test_the_uploader_always_sees_their_document(users, api, make_document):
    doc = make_document(users["UPLOADER"], visibility="RESTRICTED", allowed_roles=["ADMIN"])
    assert doc["visibility"] == "RESTRICTED"
    assert api(users["UPLOADER"]).get(f"{DOCS}{doc['id']}/").status_code == 200
    assert api(users["REVIEWER"]).get(f"{DOCS}{doc['id']}/").status_code == 404


def test_allowed_users_must_be_members_of_the_tenant(users, outsider, api, make_document):
    doc = make_document(users["MANAGER"])
    response = api(users["MANAGER"]).patch(
        f"{DOCS}{doc['id']}/",
        {"visibility": "RESTRICTED", "allowed_users": [str(outsider.pk)]},
        format="json",
    )
    assert response.status_code == 422
    assert "allowed_users" in response.json()["errors"]
    assert Document.objects.get().visibility == "TENANT"


def test_patch_changes_title_type_and_visibility(users, api, make_document):
    doc = make_document(users["UPLOADER"])
    client = api(users["UPLOADER"])
    response = client.patch(
        f"{DOCS}{doc['id']}/", {"title": "Renamed", "document_type": "CONTRACT"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed" and response.json()["document_type"] == "CONTRACT"
    bad = client.patch(f"{DOCS}{doc['id']}/", {"visibility": "SECRET", "title": ""}, format="json")
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"visibility", "title"}
    other = api(users["REVIEWER"]).patch(f"{DOCS}{doc['id']}/", {"title": "Mine"}, format="json")
    assert other.status_code == 403


def test_delete_rules(users, api, make_document, backend):
    own = make_document(users["UPLOADER"])
    others = make_document(users["REVIEWER"])
    uploader = api(users["UPLOADER"])
    assert uploader.delete(f"{DOCS}{others['id']}/").status_code == 403
    # An approved document is out of its uploader's hands.
    Document.objects.filter(pk=own["id"]).update(status="APPROVED")
    assert uploader.delete(f"{DOCS}{own['id']}/").status_code == 403
    Document.objects.filter(pk=own["id"]).update(status="PENDING_APPROVAL")
    uploader.put(f"{DOCS}{own['id']}/content/", data=factories.TXT, content_type="text/plain")
    assert len(backend.keys()) == 3
    assert uploader.delete(f"{DOCS}{own['id']}/").status_code == 204
    assert api(users["MANAGER"]).delete(f"{DOCS}{others['id']}/").status_code == 204
    backend.assert_clean()
