"""Sealing secrets the server must read back (access-key secrets, webhook secrets).

AES-256-GCM with a key derived from ``settings.SECRET_KEY`` by HKDF-SHA256, one key per
purpose (the HKDF ``info``). The owner's id is the associated data, so a sealed value
cannot be moved to another row. Changing ``SECRET_KEY`` makes sealed values unreadable.

Stored form: ``v1:`` + base64url(12-byte nonce || ciphertext || 16-byte tag).
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from django.conf import settings

_VERSION = "v1"


class SealError(ValueError):
    """The sealed value is malformed, or was sealed under another SECRET_KEY or owner."""


@lru_cache(maxsize=8)
def _aead(secret_key: str, info: bytes):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        secret_key.encode()
    )
    return AESGCM(key)


class Sealer:
    def __init__(self, purpose: str) -> None:
        self.info = purpose.encode()

    def seal(self, plain: str, owner_id: str) -> str:
        nonce = os.urandom(12)
        sealed = _aead(settings.SECRET_KEY, self.info).encrypt(
            nonce, plain.encode(), owner_id.encode()
        )
        return f"{_VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode()

    def unseal(self, value: str, owner_id: str) -> str:
        from cryptography.exceptions import InvalidTag

        version, _, body = (value or "").partition(":")
        if version != _VERSION:
            raise SealError("unknown sealed-secret format")
        try:
            raw = base64.urlsafe_b64decode(body.encode())
            aead = _aead(settings.SECRET_KEY, self.info)
            plain = aead.decrypt(raw[:12], raw[12:], owner_id.encode())
        except (InvalidTag, ValueError) as exc:
            raise SealError("the secret cannot be unsealed with this SECRET_KEY") from exc
        return plain.decode()
