"""Sealing webhook secrets at rest.

A webhook secret cannot be stored as a hash: the server needs the secret itself to
compute each delivery's HMAC (a receiver checks the signature with the same secret).
It is therefore sealed with AES-256-GCM under a key derived from ``settings.SECRET_KEY``
by HKDF-SHA256, with the endpoint's id as associated data, so a database dump alone
does not reveal it and a sealed value cannot be moved to another endpoint's row.
Changing ``SECRET_KEY`` makes existing secrets unreadable: their deliveries fail with
"secret unreadable" until the secret is rotated.

Stored form: ``v1:`` + base64url(12-byte nonce || ciphertext || 16-byte tag).
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from django.conf import settings

_VERSION = "v1"
_INFO = b"docuflow.webhooks.endpoint-secret.v1"


class SealError(ValueError):
    """Malformed, or sealed under another SECRET_KEY or for another endpoint."""


@lru_cache(maxsize=4)
def _aead(secret_key: str):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return AESGCM(key)


def seal(plain: str, endpoint_id: str) -> str:
    nonce = os.urandom(12)
    sealed = _aead(settings.SECRET_KEY).encrypt(nonce, plain.encode(), endpoint_id.encode())
    return f"{_VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(value: str, endpoint_id: str) -> str:
    from cryptography.exceptions import InvalidTag

    version, _, body = (value or "").partition(":")
    if version != _VERSION:
        raise SealError("unknown sealed-secret format")
    try:
        raw = base64.urlsafe_b64decode(body.encode())
        plain = _aead(settings.SECRET_KEY).decrypt(raw[:12], raw[12:], endpoint_id.encode())
    except (InvalidTag, ValueError) as exc:
        raise SealError("the secret cannot be unsealed with this SECRET_KEY") from exc
    return plain.decode()
