"""SigV4 authentication of /sfn: who may call, and what a bad signature gets."""

from __future__ import annotations

import datetime as dt
import json

import botocore.auth
import pytest
from botocore.exceptions import ClientError
from django.test import Client, override_settings

from docuflow.sfnapi import crypto, keys
from docuflow.sfnapi.models import AccessKey
from tests.factories import UserFactory
from tests.sfnapi.conftest import PASS_MACHINE, REGION, ROLE, boto_client, sign, to_django

LIST = "AWSStepFunctions.ListStateMachines"


def _send(request, client: Client | None = None):
    response = to_django(client or Client(), request.prepare())
    return response.status_code, json.loads(response.content)


def _code(exc: pytest.ExceptionInfo) -> str:
    return exc.value.response["Error"]["Code"]


def test_signed_call_acts_in_the_users_tenant_and_region(sfn, tenant):
    arn = sfn.create_state_machine(name="hello", definition=json.dumps(PASS_MACHINE), roleArn=ROLE)[
        "stateMachineArn"
    ]
    assert arn == f"arn:aws:states:{REGION}:{tenant.account_id}:stateMachine:hello"
    assert [m["name"] for m in sfn.list_state_machines()["stateMachines"]] == ["hello"]


def test_the_region_comes_from_the_credential_scope(sfn_for, users, tenant):
    tokyo = sfn_for(users["MANAGER"], region="ap-northeast-1")
    arn = tokyo.create_activity(name="reviews")["activityArn"]
    assert arn == f"arn:aws:states:ap-northeast-1:{tenant.account_id}:activity:reviews"


def test_missing_authorization_is_missing_authentication_token(db):
    request = sign(b"{}", LIST, "AKIAAAAAAAAAAAAAAAAA", "x" * 40)
    del request.headers["Authorization"]
    status, body = _send(request)
    assert status == 403
    assert body == {
        "__type": "MissingAuthenticationTokenException",
        "message": "Missing Authentication Token",
    }


@pytest.mark.parametrize(
    "header",
    [
        "AWS4-HMAC-SHA256 Credential=AKIAAAAAAAAAAAAAAAAA/20260101/eu-west-3/states/aws4_request",
        "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
        "AWS4-HMAC-SHA256 Credential=AKIA/20260101/eu-west-3/states, SignedHeaders=host, "
        "Signature=" + "0" * 64,
        "AWS4-HMAC-SHA256 Credential=AKIA/20260101/eu-west-3/states/aws5_request, "
        "SignedHeaders=host, Signature=" + "0" * 64,
        "AWS4-HMAC-SHA256 Credential=AKIA/20260101/eu-west-3/states/aws4_request, "
        "SignedHeaders=x-amz-date, Signature=" + "0" * 64,
        "AWS4-HMAC-SHA256 Credential=AKIA/20260101/eu-west-3/states/aws4_request, "
        "SignedHeaders=host, Signature=nothex",
        "AWS4-HMAC-SHA256 Credential=AKIA/20260101/eu-west-3/states/aws4_request, "
        "SignedHeaders=Host;X-Amz-Date, Signature=" + "0" * 64,
        "AWS AKIAAAAAAAAAAAAAAAAA:c2lnbmF0dXJl",
        "Bearer eyJhbGciOi",
    ],
    ids=[
        "no-signature",
        "no-credential",
        "short-scope",
        "bad-terminator",
        "host-not-signed",
        "signature-not-hex",
        "uppercase-signed-headers",
        "sigv2",
        "bearer",
    ],
)
def test_malformed_authorization_is_incomplete_signature(db, header):
    request = sign(b"{}", LIST, "AKIAAAAAAAAAAAAAAAAA", "x" * 40)
    request.headers.replace_header("Authorization", header)
    status, body = _send(request)
    assert status == 403
    assert body["__type"] == "IncompleteSignatureException"
    assert body["message"]


def test_missing_date_is_incomplete_signature(key):
    request = sign(b"{}", LIST, key.key.id, key.secret)
    del request.headers["X-Amz-Date"]
    status, body = _send(request)
    assert (status, body["__type"]) == (403, "IncompleteSignatureException")


def test_unknown_key_is_unrecognized_client(db):
    sfn = boto_client(Client(), "AKIAZZZZZZZZZZZZZZZZ", "s" * 40)
    with pytest.raises(ClientError) as exc:
        sfn.list_state_machines()
    assert _code(exc) == "UnrecognizedClientException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert exc.value.response["Error"]["Message"] == (
        "The security token included in the request is invalid."
    )


def test_wrong_secret_is_invalid_signature(key):
    sfn = boto_client(
        Client(), key.key.id, key.secret[:-1] + ("A" if key.secret[-1] != "A" else "B")
    )
    with pytest.raises(ClientError) as exc:
        sfn.list_state_machines()
    assert _code(exc) == "InvalidSignatureException"
    assert "does not match" in exc.value.response["Error"]["Message"]


def test_body_changed_after_signing_is_invalid_signature(key):
    request = sign(b'{"maxResults": 1}', LIST, key.key.id, key.secret)
    request.data = b'{"maxResults": 2}'
    status, body = _send(request)
    assert (status, body["__type"]) == (403, "InvalidSignatureException")


def test_signed_header_changed_after_signing_is_invalid_signature(key):
    request = sign(b"{}", LIST, key.key.id, key.secret)
    request.headers.replace_header("X-Amz-Target", "AWSStepFunctions.ListActivities")
    status, body = _send(request)
    assert (status, body["__type"]) == (403, "InvalidSignatureException")


def test_content_sha256_header_must_match_the_body(key):
    request = sign(b"{}", LIST, key.key.id, key.secret)
    request.headers["X-Amz-Content-SHA256"] = "0" * 64
    status, body = _send(request)
    assert (status, body["__type"]) == (403, "InvalidSignatureException")


def test_other_service_scope_is_invalid_signature(key):
    status, body = _send(sign(b"{}", LIST, key.key.id, key.secret, service="lambda"))
    assert (status, body["__type"]) == (403, "InvalidSignatureException")
    assert "states" in body["message"]


def test_invalid_region_in_scope_is_refused(key):
    status, body = _send(sign(b"{}", LIST, key.key.id, key.secret, region="EU_WEST"))
    assert (status, body["__type"]) == (403, "InvalidSignatureException")


@pytest.mark.parametrize("minutes", [-16, 16])
def test_signature_outside_15_minutes_is_expired(key, monkeypatch, minutes):
    then = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=minutes)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: then)
    sfn = boto_client(Client(), key.key.id, key.secret)
    with pytest.raises(ClientError) as exc:
        sfn.list_state_machines()
    assert _code(exc) == "InvalidSignatureException"
    message = exc.value.response["Error"]["Message"]
    assert message.startswith("Signature expired" if minutes < 0 else "Signature not yet current")


def test_signature_within_15_minutes_is_accepted(key, monkeypatch):
    then = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=14)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: then)
    sfn = boto_client(Client(), key.key.id, key.secret)
    assert sfn.list_state_machines()["stateMachines"] == []


def test_revoked_key_is_unrecognized(sfn, key):
    sfn.list_state_machines()
    keys.revoke_access_key(key.key.id)
    with pytest.raises(ClientError) as exc:
        sfn.list_state_machines()
    assert _code(exc) == "UnrecognizedClientException"


def test_deactivated_user_is_unrecognized(sfn, users):
    users["ADMIN"].is_active = False
    users["ADMIN"].save()
    with pytest.raises(ClientError) as exc:
        sfn.list_state_machines()
    assert _code(exc) == "UnrecognizedClientException"


def test_user_without_tenant_is_access_denied(sfn_for, db):
    staff = UserFactory(tenant=None, role="", email="root@example.test", is_staff=True)
    with pytest.raises(ClientError) as exc:
        sfn_for(staff).list_state_machines()
    assert _code(exc) == "AccessDeniedException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_key_unusable_after_secret_key_change(sfn):
    with override_settings(SECRET_KEY="another-secret-key-" + "x" * 40):
        with pytest.raises(ClientError) as exc:
            sfn.list_state_machines()
    assert _code(exc) == "UnrecognizedClientException"
    assert sfn.list_state_machines()["stateMachines"] == []


def test_secret_is_sealed_at_rest_and_bound_to_its_key(key, users):
    row = AccessKey.objects.get(pk=key.key.id)
    assert key.secret not in row.sealed_secret
    assert row.sealed_secret.startswith("v1:")
    assert crypto.unseal(row.sealed_secret, row.id) == key.secret
    other = keys.create_access_key(users["ADMIN"])
    with pytest.raises(crypto.SealError):
        crypto.unseal(row.sealed_secret, other.key.id)


def test_key_format(key):
    assert len(key.key.id) == 20 and key.key.id.startswith("AKIA")
    assert key.key.id == key.key.id.upper()
    assert len(key.secret) == 40


def test_last_used_is_recorded(sfn, key):
    assert AccessKey.objects.get(pk=key.key.id).last_used_at is None
    sfn.list_state_machines()
    assert AccessKey.objects.get(pk=key.key.id).last_used_at is not None


def test_endpoint_is_exempt_from_csrf_and_takes_a_trailing_slash(key):
    client = Client(enforce_csrf_checks=True)
    for url in ("http://127.0.0.1:8000/sfn", "http://127.0.0.1:8000/sfn/"):
        status, body = _send(sign(b"{}", LIST, key.key.id, key.secret, url=url), client)
        assert (status, body) == (200, {"stateMachines": []})


def test_only_post_is_accepted(db):
    response = Client().get("/sfn", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert json.loads(response.content)["__type"] == "UnknownOperationException"
