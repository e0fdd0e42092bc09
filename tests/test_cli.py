"""The docuflow command: demo and tenant management."""

import pytest

from docuflow.accounts.models import Tenant, User
from docuflow.cli import main

pytestmark = pytest.mark.django_db


def test_demo_creates_one_account_per_role_with_a_generated_password(capsys, monkeypatch, client):
    monkeypatch.delenv("DOCUFLOW_DEMO_PASSWORD", raising=False)
    assert main(["demo", "--no-documents"]) == 0
    out = capsys.readouterr().out
    password = out.split("shown once): ")[1].strip()
    roles = dict(User.objects.filter(tenant_id="acme-corp").values_list("email", "role"))
    assert roles == {
        "admin@acme-corp.docuflow.io": "ADMIN",
        "manager@acme-corp.docuflow.io": "MANAGER",
        "reviewer@acme-corp.docuflow.io": "REVIEWER",
        "user@acme-corp.docuflow.io": "UPLOADER",
    }
    login = client.post(
        "/api/v1/auth/login/",
        {"email": "manager@acme-corp.docuflow.io", "password": password},
        content_type="application/json",
    )
    assert login.status_code == 200

    # Twice changes nothing, and prints no password.
    assert main(["demo", "--no-documents"]) == 0
    assert "shown once" not in capsys.readouterr().out
    assert User.objects.filter(tenant_id="acme-corp").count() == 4


def test_demo_uses_the_configured_password(monkeypatch, client):
    monkeypatch.setenv("DOCUFLOW_DEMO_PASSWORD", "a demo pass phrase")
    assert main(["demo", "--no-documents"]) == 0
    login = client.post(
        "/api/v1/auth/login/",
        {"email": "user@acme-corp.docuflow.io", "password": "a demo pass phrase"},
        content_type="application/json",
    )
    assert login.status_code == 200


def test_tenant_create_and_update(capsys):
    assert main(["tenant", "create", "initech", "--name", "Initech", "--admin-email",
                 "boss@initech.test", "--documents-limit", "50"]) == 0
    tenant = Tenant.objects.get(slug="initech")
    assert tenant.documents_limit == 50
    assert User.objects.get(email="boss@initech.test").role == "ADMIN"
    assert "shown once" in capsys.readouterr().out

    assert main(["tenant", "update", "initech", "--documents-limit", "75", "--plan", "ENTERPRISE"]) == 0
    tenant.refresh_from_db()
    assert (tenant.documents_limit, tenant.plan) == (75, "ENTERPRISE")


def test_tenant_errors_are_reported_not_raised(capsys):
    assert main(["tenant", "create", "Bad Slug!", "--name", "x", "--admin-email", "a@b.test"]) == 1
    assert main(["tenant", "update", "nope", "--plan", "TEAM"]) == 1
    assert main(["tenant", "update", "nope", "--plan", "TEAM"]) == 1
    assert not Tenant.objects.filter(slug="Bad Slug!").exists()
    err = capsys.readouterr().err
    assert "no tenant 'nope'" in err
