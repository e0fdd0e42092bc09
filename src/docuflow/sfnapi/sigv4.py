"""Verifying AWS Signature Version 4 on a request, as AWS does for the JSON protocol.

The canonical request is rebuilt from what arrived: method, path, query, the headers the
client listed in ``SignedHeaders`` and the SHA-256 of the body, then signed with the
secret of the access key named in the credential scope and compared in constant time.
This module knows nothing of Django: the caller hands it a ``SignedRequest``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, quote

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "states"
TERMINATOR = "aws4_request"
MAX_SKEW = timedelta(minutes=15)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_SIGNATURE_RE = re.compile(r"^[0-9a-f]{64}$")
_HEADER_NAME_RE = re.compile(r"^[a-z0-9!#$%&'*+.^_`|~-]+$")
# Regions become part of ARNs: keep them to what an ARN's region field may hold.
_REGION_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$")

MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


class AuthError(Exception):
    """A request that is not properly signed; ``code`` is the name AWS answers with."""

    status = 403

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str  # decoded, as the server saw it
    query_string: str  # raw
    headers: Mapping[str, str]  # case-insensitive lookup (Django's request.headers)
    body: bytes


@dataclass(frozen=True)
class Credential:
    access_key_id: str
    date: str
    region: str
    service: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{TERMINATOR}"


@dataclass(frozen=True)
class Authorization:
    credential: Credential
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str) -> Authorization:
    """Split ``AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…``."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise AuthError(
            "IncompleteSignatureException",
            f"Unsupported Authorization Type; only {ALGORITHM} (Signature Version 4) is accepted",
        )
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, field_value = part.strip().partition("=")
        if sep:
            fields[name.strip()] = field_value.strip()
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not fields.get(name)
    ]
    if missing:
        raise AuthError(
            "IncompleteSignatureException", " ".join(missing) + f" Authorization={value}"
        )
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or not all(scope):
        raise AuthError(
            "IncompleteSignatureException",
            "Credential should have exactly 5 slash-delimited elements, e.g. "
            "keyId/date/region/service/aws4_request, got "
            f"'{fields['Credential']}'",
        )
    credential = Credential(*scope[:4])
    if scope[4] != TERMINATOR:
        raise AuthError(
            "IncompleteSignatureException",
            f"Credential should be scoped with a valid terminator: '{TERMINATOR}', "
            f"not '{scope[4]}'.",
        )
    signed_headers = tuple(fields["SignedHeaders"].split(";"))
    if not all(_HEADER_NAME_RE.match(name) for name in signed_headers):
        raise AuthError(
            "IncompleteSignatureException",
            f"SignedHeaders must be lowercase header names separated by ';', "
            f"got '{fields['SignedHeaders']}'",
        )
    if "host" not in signed_headers:
        raise AuthError(
            "IncompleteSignatureException",
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        )
    if not _SIGNATURE_RE.match(fields["Signature"]):
        raise AuthError(
            "IncompleteSignatureException",
            "Signature must be 64 lowercase hexadecimal characters.",
        )
    return Authorization(credential, signed_headers, fields["Signature"])


def request_time(headers: Mapping[str, str]) -> tuple[str, datetime]:
    """The signing time: ``X-Amz-Date`` (basic ISO 8601), else the ``Date`` header."""
    amz_date = headers.get("X-Amz-Date")
    if amz_date:
        try:
            moment = _parse_amz_date(amz_date)
        except ValueError:
            raise AuthError(
                "IncompleteSignatureException",
                f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. "
                "See http://en.wikipedia.org/wiki/ISO_8601",
            )
        return amz_date, moment
    date = headers.get("Date")
    if date:
        try:
            moment = parsedate_to_datetime(date).astimezone(UTC)
        except (TypeError, ValueError):
            moment = None
        if moment is not None:
            return moment.strftime(_AMZ_DATE), moment
    raise AuthError(
        "IncompleteSignatureException",
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    )


@functools.lru_cache(maxsize=64)
def _parse_amz_date(value: str) -> datetime:
    """Cached: every call signed in the same second has the same value (strptime is slow)."""
    return datetime.strptime(value, _AMZ_DATE).replace(tzinfo=UTC)


@functools.lru_cache(maxsize=64)
def _canonical_path(path: str) -> str:
    # Services other than S3 encode the (already encoded) path a second time.
    return quote(quote(path or "/", safe="/~"), safe="/~")


def canonical_query(query_string: str) -> str:
    if not query_string:  # the JSON protocol's usual case
        return ""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def canonical_header_value(value: str) -> str:
    return " ".join(value.split())


def canonical_request(
    request: SignedRequest, signed_headers: tuple[str, ...], payload_hash: str
) -> str:
    headers = "".join(
        f"{name}:{canonical_header_value(request.headers.get(name, '') or '')}\n"
        for name in signed_headers
    )
    return "\n".join(
        [
            request.method.upper(),
            _canonical_path(request.path),
            canonical_query(request.query_string),
            headers,
            ";".join(signed_headers),
            payload_hash,
        ]
    )


def signing_key(secret: str, credential: Credential) -> bytes:
    return _signing_key(secret, credential.date, credential.region, credential.service)


@functools.lru_cache(maxsize=256)
def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """Derived once a day per key and region, as the SDKs do on their side."""
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, TERMINATOR):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def signature(secret: str, credential: Credential, amz_date: str, canonical: str) -> str:
    to_sign = "\n".join(
        [ALGORITHM, amz_date, credential.scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    return hmac.new(signing_key(secret, credential), to_sign.encode(), hashlib.sha256).hexdigest()


def verify(
    request: SignedRequest,
    lookup: Callable[[str], tuple[object, str] | None],
    *,
    now: datetime | None = None,
) -> tuple[object, Credential]:
    """Check the request's signature; return what ``lookup`` found for its key, and the scope.

    ``lookup(access_key_id)`` returns ``(anything, secret)`` for a usable key, or None.
    """
    header = request.headers.get("Authorization")
    if not header:
        raise AuthError("MissingAuthenticationTokenException", "Missing Authentication Token")
    auth = parse_authorization(header)
    amz_date, moment = request_time(request.headers)
    credential = auth.credential
    if credential.date != amz_date[:8]:
        raise AuthError(
            "InvalidSignatureException",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{credential.date}' != '{amz_date[:8]}', from '{amz_date}'.",
        )
    if credential.service != SERVICE:
        raise AuthError(
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: '{SERVICE}'. ",
        )
    if not _REGION_RE.match(credential.region):
        raise AuthError(
            "InvalidSignatureException",
            f"Credential should be scoped to a valid region, not '{credential.region}'. ",
        )
    now = now or datetime.now(UTC)
    if moment < now - MAX_SKEW:
        raise AuthError(
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is now earlier than "
            f"{(now - MAX_SKEW).strftime(_AMZ_DATE)} ({now.strftime(_AMZ_DATE)} - 15 min.)",
        )
    if moment > now + MAX_SKEW:
        raise AuthError(
            "InvalidSignatureException",
            f"Signature not yet current: {amz_date} is still later than "
            f"{(now + MAX_SKEW).strftime(_AMZ_DATE)} ({now.strftime(_AMZ_DATE)} + 15 min.)",
        )
    found = lookup(credential.access_key_id)
    if found is None:
        raise AuthError(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    principal, secret = found
    body_hash = hashlib.sha256(request.body).hexdigest()
    declared = request.headers.get("X-Amz-Content-Sha256")
    if declared and declared != body_hash:
        raise AuthError(
            "InvalidSignatureException",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        )
    canonical = canonical_request(request, auth.signed_headers, declared or body_hash)
    expected = signature(secret, credential, amz_date, canonical)
    if not hmac.compare_digest(expected, auth.signature):
        raise AuthError("InvalidSignatureException", MISMATCH)
    return principal, credential
