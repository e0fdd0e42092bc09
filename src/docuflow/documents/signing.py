"""Signed, expiring URLs served by DocuFlow itself (no bearer token: the signature is it).

A URL names one operation on one version of one document, the user it was issued to and
its expiry, and carries an HMAC-SHA256 of all of them keyed from ``SECRET_KEY`` (with
Django's ``SECRET_KEY_FALLBACKS`` honoured, so keys can be rotated). Changing any part
breaks the signature.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core import signing
from django.urls import reverse
from rest_framework import exceptions

SALT = "docuflow.documents.signed-url"
DOWNLOAD = "get"
UPLOAD = "put"


class LinkInvalid(exceptions.PermissionDenied):
    default_detail = "This link is invalid."


class LinkExpired(exceptions.PermissionDenied):
    default_detail = "This link has expired."


@dataclass(frozen=True)
class Grant:
    operation: str
    document_id: str
    version: int
    user_id: str
    expires: int


def _payload(grant: Grant) -> str:
    return "|".join(
        [grant.operation, grant.document_id, str(grant.version), grant.user_id, str(grant.expires)]
    )


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, algorithm="sha256")


def sign(grant: Grant) -> str:
    return _signer().sign(_payload(grant)).rsplit(":", 1)[1]


def url_for(request, grant: Grant) -> str:
    name = "docuflow-signed-download" if grant.operation == DOWNLOAD else "docuflow-signed-upload"
    path = reverse(name, kwargs={"pk": grant.document_id})
    query = urlencode(
        {"v": grant.version, "u": grant.user_id, "exp": grant.expires, "sig": sign(grant)}
    )
    return request.build_absolute_uri(f"{path}?{query}")


def issue(operation: str, document, version: int, user, expires_in: int) -> Grant:
    return Grant(operation, str(document.pk), version, str(user.pk), int(time.time()) + expires_in)


def verify(operation: str, document_id, query) -> Grant:
    """The grant a request's query proves, or 403 (tampered, malformed or expired)."""
    try:
        grant = Grant(
            operation,
            str(document_id),
            int(query["v"]),
            str(query["u"]),
            int(query["exp"]),
        )
        signature = str(query["sig"])
    except (KeyError, TypeError, ValueError):
        raise LinkInvalid()
    try:
        _signer().unsign(f"{_payload(grant)}:{signature}")
    except signing.BadSignature:
        raise LinkInvalid()
    if grant.expires < time.time():
        raise LinkExpired()
    return grant
