"""The signature scheme and URL rules as pure functions (no database)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from docuflow.webhooks import signing, urlcheck

pytestmark = pytest.mark.pure

SECRET = "whsec_test"
BODY = b'{"id":"1","type":"ping"}'


def test_header_is_stripe_like():
    value = signing.header(SECRET, 1_700_000_000, BODY)
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert value == f"t=1700000000,v1={expected}"


def test_verify_accepts_a_recent_signature_only():
    value = signing.header(SECRET, 1_700_000_000, BODY)
    assert signing.verify(SECRET, value, BODY, now=1_700_000_100)
    assert not signing.verify(SECRET, value, BODY, now=1_700_000_000 + 301)  # replayed late
    assert not signing.verify("whsec_other", value, BODY, now=1_700_000_000)
    assert not signing.verify(SECRET, value, BODY + b" ", now=1_700_000_000)
    assert not signing.verify(SECRET, "", BODY, now=1_700_000_000)
    assert not signing.verify(SECRET, "t=x,v1=y", BODY, now=1_700_000_000)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/hook", ("https", "example.com", 443)),
        ("http://example.com:8080/x?y=1", ("http", "example.com", 8080)),
        ("HTTPS://Example.COM./", ("https", "example.com", 443)),
        ("http://[2001:db8::1]:81/", ("http", "2001:db8::1", 81)),
    ],
)
def test_parse(url, expected):
    assert urlcheck.parse(url) == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DOCUFLOW_WEBHOOK_MAX_ATTEMPTS", "many"),
        ("DOCUFLOW_WEBHOOK_MAX_ATTEMPTS", "0"),
        ("DOCUFLOW_WEBHOOK_POLL_SECONDS", "soon"),
    ],
)
def test_malformed_settings_are_refused(monkeypatch, name, value):
    from django.core.exceptions import ImproperlyConfigured

    from docuflow.webhooks import conf

    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        conf.check()
