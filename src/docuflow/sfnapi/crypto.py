"""Sealing access-key secrets at rest.

AES-256-GCM with a key derived from ``settings.SECRET_KEY`` by HKDF-SHA256; the access
key id is the associated data, so a sealed secret cannot be moved to another key's row.
Changing ``SECRET_KEY`` makes existing access keys unusable (their callers get
``UnrecognizedClientException``): create new ones.

Stored form: ``v1:`` + base64url(12-byte nonce || ciphertext || 16-byte tag).
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from django.conf import settings

_VERSION = "v1"
_INFO = b"docuflow.sfnapi.access-key-secret.v1"


class SealError(ValueError):
    """The sealed value is malformed, or was sealed under another SECRET_KEY or key id."""


@lru_cache(maxsize=4)
def _aead(secret_key: str):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return AESGCM(key)


def seal(plain: str, key_id: str) -> str:
    nonce = os.urandom(12)
    sealed = _aead(settings.SECRET_KEY).encrypt(nonce, plain.encode(), key_id.encode())
    return f"{_VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(value: str, key_id: str) -> str:
    from cryptography.exceptions import InvalidTag

    version, _, body = (value or "").partition(":")
    if version != _VERSION:
        raise SealError("unknown sealed-secret format")
    try:
        raw = base64.urlsafe_b64decode(body.encode())
        plain = _aead(settings.SECRET_KEY).decrypt(raw[:12], raw[12:], key_id.encode())
    except (InvalidTag, ValueError) as exc:
        raise SealError("the secret cannot be unsealed with this SECRET_KEY") from exc
    return plain.decode()
