"""``docuflow access-key create|list|revoke``."""

from __future__ import annotations

import json

import pytest

from docuflow.sfnapi import crypto
from docuflow.sfnapi.cli import main
from docuflow.sfnapi.models import AccessKey
from tests.factories import UserFactory


def test_create_json_prints_the_secret_once(users, capsys):
    assert main(["create", "--user", "ADMIN@acme.test", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"AccessKeyId", "SecretAccessKey"}
    row = AccessKey.objects.get(pk=printed["AccessKeyId"])
    assert row.user == users["ADMIN"]
    assert row.is_active
    assert printed["SecretAccessKey"] not in row.sealed_secret
    assert crypto.unseal(row.sealed_secret, row.id) == printed["SecretAccessKey"]


def test_create_text(users, capsys):
    assert main(["create", "--user", "manager@acme.test"]) == 0
    out = capsys.readouterr().out
    key = AccessKey.objects.get(user=users["MANAGER"])
    assert f"AccessKeyId:     {key.id}" in out
    assert "SecretAccessKey: " in out


def test_create_for_unknown_user_fails(db, capsys):
    assert main(["create", "--user", "nobody@example.test"]) == 1
    assert "no user" in capsys.readouterr().err


def test_create_for_user_without_tenant_warns(db, capsys):
    UserFactory(tenant=None, role="", email="root@example.test")
    assert main(["create", "--user", "root@example.test", "--json"]) == 0
    assert "AccessDeniedException" in capsys.readouterr().err


def test_create_for_deactivated_user_fails(users, capsys):
    users["UPLOADER"].is_active = False
    users["UPLOADER"].save()
    assert main(["create", "--user", "uploader@acme.test"]) == 1
    assert "deactivated" in capsys.readouterr().err


def test_list_and_revoke(users, capsys):
    main(["create", "--user", "admin@acme.test", "--json"])
    admin_key = json.loads(capsys.readouterr().out)["AccessKeyId"]
    main(["create", "--user", "reviewer@acme.test", "--json"])
    capsys.readouterr()

    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert admin_key in out and "reviewer@acme.test" in out and "never" in out

    assert main(["list", "--user", "admin@acme.test", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [k["AccessKeyId"] for k in listed] == [admin_key]
    assert listed[0]["Status"] == "Active" and listed[0]["Tenant"] == "acme-corp"
    assert "SecretAccessKey" not in listed[0]

    assert main(["revoke", admin_key]) == 0
    assert "revoked" in capsys.readouterr().out
    assert not AccessKey.objects.get(pk=admin_key).is_active
    assert main(["list", "--user", "admin@acme.test", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["Status"] == "Inactive"


def test_revoke_unknown_key(db, capsys):
    assert main(["revoke", "AKIANOPE"]) == 1
    assert "no access key" in capsys.readouterr().err


def test_list_empty(db, capsys):
    assert main(["list"]) == 0
    assert "No access keys" in capsys.readouterr().out


def test_usage_errors_exit_with_2(db):
    with pytest.raises(SystemExit) as exc:
        main(["create"])
    assert exc.value.code == 2
