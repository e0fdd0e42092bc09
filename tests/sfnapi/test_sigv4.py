"""The SigV4 verifier against botocore's own signer, on requests of every shape."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote, urlsplit

import pytest
from botocore.auth import SigV4Auth, _host_from_url
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from docuflow.sfnapi import sigv4

KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


class Headers(dict):
    def __init__(self, items):
        super().__init__((name.lower(), value) for name, value in items)

    def get(self, name, default=None):
        return super().get(name.lower(), default)


def _signed(url: str, body: bytes = b"{}", headers: dict | None = None, secret: str = SECRET):
    request = AWSRequest(method="POST", url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(Credentials(KEY, secret), "states", "eu-central-1").add_auth(request)
    parts = urlsplit(url)
    items = [(k, v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()]
    items.append(("Host", _host_from_url(url)))
    return sigv4.SignedRequest("POST", unquote(parts.path), parts.query, Headers(items), body)


def _lookup(key_id):
    return ("principal", SECRET) if key_id == KEY else None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/sfn",
        "http://localhost/sfn/",
        "https://sfn.example.com:443/sfn",
        "http://127.0.0.1:8000/sfn?b=2&a=1&a=0&empty=&sp=a%20b",
        "http://127.0.0.1:8000/prefix/s%20fn",
    ],
)
def test_botocore_signatures_verify(url):
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "AWSStepFunctions.ListActivities",
        "X-Custom": "  spaced    out  value ",
    }
    principal, credential = sigv4.verify(_signed(url, b'{"a": "\\u00e9"}', headers), _lookup)
    assert principal == "principal"
    assert (credential.access_key_id, credential.region) == (KEY, "eu-central-1")


def test_empty_body_verifies():
    sigv4.verify(_signed("http://127.0.0.1:8000/sfn", b""), _lookup)


def test_wrong_secret_fails():
    with pytest.raises(sigv4.AuthError) as exc:
        sigv4.verify(_signed("http://127.0.0.1:8000/sfn", secret="x" * 40), _lookup)
    assert exc.value.code == "InvalidSignatureException"


def test_expiry_is_judged_against_the_given_clock():
    request = _signed("http://127.0.0.1:8000/sfn")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    with pytest.raises(sigv4.AuthError) as exc:
        sigv4.verify(request, _lookup, now=later)
    assert exc.value.message.startswith("Signature expired")


def test_date_header_is_accepted_without_x_amz_date():
    moment, stamp = sigv4.request_time(Headers([("Date", "Sun, 22 Nov 2026 07:00:00 GMT")]))
    assert moment == "20261122T070000Z"
    assert stamp == dt.datetime(2026, 11, 22, 7, tzinfo=dt.UTC)


def test_scope_date_must_match_the_request_date():
    request = _signed("http://127.0.0.1:8000/sfn")
    auth = request.headers["authorization"]
    today = request.headers["x-amz-date"][:8]
    request.headers["authorization"] = auth.replace(f"/{today}/", "/20000101/")
    with pytest.raises(sigv4.AuthError) as exc:
        sigv4.verify(request, _lookup)
    assert exc.value.code == "InvalidSignatureException"
    assert "Date in Credential scope" in exc.value.message
