"""Tenant profile and member management: roles and tenant isolation."""

import uuid

import pytest

from docuflow.accounts.models import User
from tests.factories import UserFactory

ME = "/api/v1/tenants/me/"
MEMBERS = "/api/v1/tenants/members/"

pytestmark = pytest.mark.django_db


def member_url(user_id) -> str:
    return f"{MEMBERS}{user_id}/"


def test_tenant_profile(api, users, outsider):
    body = api(users["UPLOADER"]).get(ME).json()
    assert body["tenant_id"] == "acme-corp"
    assert body["name"] == "Acme Corporation"
    assert body["documents_limit"] == 10_000
    assert body["members_count"] == 4  # the other tenant's admin is not counted
    assert body["documents_used"] == 0
    assert body["created_at"].endswith("Z")


def test_anonymous_is_401(api, db):
    for url in (ME, MEMBERS, member_url(uuid.uuid4())):
        response = api().get(url)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


def test_superuser_without_tenant_is_forbidden(api, db):
    root = User.objects.create_superuser("root@docuflow.test", "a long admin password")
    response = api(root).get(ME)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_members_are_paginated_and_scoped_to_the_tenant(api, users, outsider):
    response = api(users["REVIEWER"]).get(MEMBERS, {"page_size": 2})
    body = response.json()
    assert body["count"] == 4
    assert len(body["results"]) == 2
    assert body["next"] is not None and "page=2" in body["next"]
    assert set(body["results"][0]) == {"id", "email", "role", "is_active", "joined_at"}
    page2 = api(users["REVIEWER"]).get(MEMBERS, {"page_size": 2, "page": 2}).json()
    emails = {m["email"] for m in body["results"] + page2["results"]}
    assert outsider.email not in emails and len(emails) == 4


def test_page_size_is_capped_at_100(api, users):
    body = api(users["ADMIN"]).get(MEMBERS, {"page_size": 1000}).json()
    assert body["count"] == 4 and len(body["results"]) == 4


def test_manager_adds_a_member_with_a_generated_password(api, users):
    response = api(users["MANAGER"]).post(
        MEMBERS, {"email": "New.Person@Acme.test", "role": "REVIEWER"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "new.person@acme.test"
    assert body["role"] == "REVIEWER"
    login = api().post(
        "/api/v1/auth/login/",
        {"email": "new.person@acme.test", "password": body["initial_password"]},
        format="json",
    )
    assert login.status_code == 200
    assert login.json()["user"]["tenant_id"] == "acme-corp"


def test_added_password_is_validated(api, users):
    response = api(users["ADMIN"]).post(
        MEMBERS, {"email": "weak@acme.test", "role": "UPLOADER", "password": "123"}, format="json"
    )
    assert response.status_code == 422
    assert "password" in response.json()["errors"]
    assert not User.objects.filter(email="weak@acme.test").exists()


def test_duplicate_email_is_a_conflict(api, users, outsider):
    response = api(users["ADMIN"]).post(
        MEMBERS, {"email": outsider.email, "role": "UPLOADER"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert User.objects.get(email=outsider.email).tenant_id == "globex"


@pytest.mark.parametrize("role", ["REVIEWER", "UPLOADER"])
def test_reviewers_and_uploaders_cannot_manage_members(api, users, role):
    actor = users[role]
    target = users["UPLOADER"] if role != "UPLOADER" else users["REVIEWER"]
    patch = api(actor).patch(member_url(target.id), {"role": "ADMIN"}, format="json")
    assert patch.status_code == 403
    assert patch.json()["code"] == "permission_denied"
    post = api(actor).post(MEMBERS, {"email": "x@acme.test", "role": "ADMIN"}, format="json")
    assert post.status_code == 403
    target.refresh_from_db()
    assert target.role != "ADMIN"
    assert not User.objects.filter(email="x@acme.test").exists()


def test_manager_changes_a_role_and_deactivates(api, users):
    target = users["UPLOADER"]
    response = api(users["MANAGER"]).patch(
        member_url(target.id), {"role": "REVIEWER", "is_active": False}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["role"] == "REVIEWER"
    assert response.json()["is_active"] is False
    target.refresh_from_db()
    assert (target.role, target.is_active) == ("REVIEWER", False)


def test_manager_cannot_grant_admin_or_touch_an_admin(api, users):
    manager = api(users["MANAGER"])
    assert manager.patch(member_url(users["UPLOADER"].id), {"role": "ADMIN"}, format="json").status_code == 403
    assert manager.patch(member_url(users["ADMIN"].id), {"is_active": False}, format="json").status_code == 403
    users["ADMIN"].refresh_from_db()
    assert users["ADMIN"].is_active


def test_admin_may_grant_admin(api, users):
    response = api(users["ADMIN"]).patch(
        member_url(users["MANAGER"].id), {"role": "ADMIN"}, format="json"
    )
    assert response.status_code == 200


def test_nobody_changes_their_own_role(api, users):
    response = api(users["ADMIN"]).patch(member_url(users["ADMIN"].id), {"role": "UPLOADER"}, format="json")
    assert response.status_code == 409


@pytest.mark.parametrize(
    "payload", [{}, {"role": "OWNER"}, {"is_active": "maybe"}, ["role"], "text"]
)
def test_bad_patch_bodies_are_422(api, users, payload):
    response = api(users["ADMIN"]).patch(member_url(users["UPLOADER"].id), payload, format="json")
    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("validation_error", "parse_error")
    users["UPLOADER"].refresh_from_db()
    assert users["UPLOADER"].role == "UPLOADER"


def test_deactivated_member_loses_refresh_tokens(api, users):
    login = api().post(
        "/api/v1/auth/login/", {"email": users["UPLOADER"].email, "password": "correct horse battery staple"}, format="json"
    ).json()
    api(users["ADMIN"]).patch(member_url(users["UPLOADER"].id), {"is_active": False}, format="json")
    refreshed = api().post("/api/v1/auth/token/refresh/", {"refresh": login["refresh"]}, format="json")
    assert refreshed.status_code == 401


# --- Tenant isolation: every endpoint that takes an id, with another tenant's id ----------

def cross_tenant_requests(victim):
    """(method, url, body) for each endpoint addressing one object. Extend per app."""
    return [
        ("get", member_url(victim.id), None),
        ("patch", member_url(victim.id), {"role": "UPLOADER"}),
    ]


def test_another_tenants_objects_are_404(api, users, outsider):
    victim = UserFactory(tenant=outsider.tenant, role="REVIEWER", email="victim@globex.test")
    for method, url, body in cross_tenant_requests(victim):
        response = getattr(api(users["ADMIN"]), method)(url, body, format="json")
        assert response.status_code == 404, (method, url)
        assert response.json()["code"] == "not_found"
    victim.refresh_from_db()
    assert victim.role == "REVIEWER"


def test_malformed_member_id_is_404(api, users):
    assert api(users["ADMIN"]).get(f"{MEMBERS}not-a-uuid/").status_code == 404
