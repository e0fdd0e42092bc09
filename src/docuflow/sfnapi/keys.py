"""Access-key services: create (secret shown once), list, revoke, and look up for SigV4."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from docuflow.accounts.models import User
from docuflow.sfnapi import crypto
from docuflow.sfnapi.models import AccessKey

_ID_ALPHABET = string.ascii_uppercase + "234567"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
# last_used_at is advisory: refresh it at most this often, not on every signed call.
_TOUCH_EVERY = timedelta(minutes=1)


class AccessKeyError(ValueError):
    pass


@dataclass(frozen=True)
class NewAccessKey:
    key: AccessKey
    secret: str


def _new_id() -> str:
    return "AKIA" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def _new_secret() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def create_access_key(user: User) -> NewAccessKey:
    """A new key for ``user``. The plain secret exists only in the returned value."""
    if not user.is_active:
        raise AccessKeyError(f"user {user.email} is deactivated")
    secret = _new_secret()
    for _ in range(5):
        key_id = _new_id()
        try:
            with transaction.atomic():
                key = AccessKey.objects.create(
                    id=key_id, user=user, sealed_secret=crypto.seal(secret, key_id)
                )
            return NewAccessKey(key, secret)
        except IntegrityError:  # an id collision: 32**16 ids, but never say never
            continue
    raise AccessKeyError("could not allocate a unique access key id")


def list_access_keys(user: User | None = None):
    keys = AccessKey.objects.select_related("user")
    return (
        keys.filter(user=user) if user is not None else keys.order_by("user__email", "-created_at")
    )


def revoke_access_key(key_id: str) -> AccessKey:
    """Deactivate a key (kept for the record). Raises AccessKey.DoesNotExist."""
    key = AccessKey.objects.get(pk=key_id)
    if key.is_active:
        AccessKey.objects.filter(pk=key_id).update(is_active=False)
        key.is_active = False
    return key


def active_key(key_id: str) -> tuple[AccessKey, str] | None:
    """The active key with this id and its secret, or None (unknown, revoked, unreadable)."""
    key = (
        AccessKey.objects.select_related("user", "user__tenant")
        .filter(pk=key_id, is_active=True, user__is_active=True)
        .first()
    )
    if key is None:
        return None
    try:
        return key, crypto.unseal(key.sealed_secret, key.id)
    except crypto.SealError:
        return None


def touch(key: AccessKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= _TOUCH_EVERY:
        AccessKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
