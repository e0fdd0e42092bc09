"""Access-key services: create (secret shown once), list, revoke, and look up for SigV4.

Looking a key up for every signed call would cost a joined query and an AES-GCM unseal
per request, so ``active_key`` keeps what it found in a small per-process cache for
``CACHE_SECONDS`` (5 s). Revoking a key, or saving or deleting a user, a tenant or a key,
clears the cache of the process that did it at once; in other processes (other server
workers, a CLI) a revoked key or a deactivated user stops working within
``CACHE_SECONDS``.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from docuflow.accounts.models import Tenant, User
from docuflow.sfnapi import crypto
from docuflow.sfnapi.models import AccessKey

_ID_ALPHABET = string.ascii_uppercase + "234567"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
# last_used_at is advisory: refresh it at most this often, not on every signed call.
_TOUCH_EVERY = timedelta(minutes=1)
# How long a looked-up key is trusted without asking the database again (see above).
CACHE_SECONDS = 5.0
_CACHE_SIZE = 1024
_USER_FIELDS = ("id", "email", "tenant_id", "is_active")
_TENANT_FIELDS = tuple(f.attname for f in Tenant._meta.concrete_fields)


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
    clear_cache()
    return key


@dataclass
class ActiveKey:
    """What a signed call needs of its key: who signs, in which tenant."""

    id: str
    user_values: tuple
    tenant_values: tuple | None
    last_used_at: datetime | None
    expires: float = field(default=0.0, compare=False)

    @property
    def user(self) -> User:
        """A fresh ``User`` (its other fields load on access), with its tenant attached."""
        user = User.from_db("default", _USER_FIELDS, self.user_values)
        if self.tenant_values is not None:
            user.tenant = Tenant.from_db("default", _TENANT_FIELDS, self.tenant_values)
        return user


_cache: dict[str, tuple[ActiveKey, str]] = {}
_cache_lock = threading.Lock()


def clear_cache(*_args, **_kwargs) -> None:
    with _cache_lock:
        _cache.clear()


# Any change to who may sign (a key, a user, a tenant) drops this process's cache at once.
for _model in (AccessKey, User, Tenant):
    post_save.connect(clear_cache, sender=_model, dispatch_uid=f"sfnapi-keys-{_model.__name__}")
    post_delete.connect(clear_cache, sender=_model, dispatch_uid=f"sfnapi-keys-{_model.__name__}-d")


def _load(key_id: str) -> tuple[ActiveKey, str] | None:
    row = (
        AccessKey.objects.filter(pk=key_id, is_active=True, user__is_active=True)
        .values_list(
            "sealed_secret",
            "last_used_at",
            *(f"user__{name}" for name in _USER_FIELDS),
            *(f"user__tenant__{name}" for name in _TENANT_FIELDS),
        )
        .first()
    )
    if row is None:
        return None
    try:
        secret = crypto.unseal(row[0], key_id)
    except crypto.SealError:
        return None
    user_values = tuple(row[2 : 2 + len(_USER_FIELDS)])
    tenant_values = tuple(row[2 + len(_USER_FIELDS) :])
    if user_values[2] is None:  # tenant_id: a user outside any tenant
        tenant_values = None
    return ActiveKey(key_id, user_values, tenant_values, row[1]), secret


def active_key(key_id: str) -> tuple[ActiveKey, str] | None:
    """The active key with this id and its secret, or None (unknown, revoked, unreadable)."""
    now = time.monotonic()
    with _cache_lock:
        found = _cache.get(key_id)
    if found is not None and found[0].expires > now:
        return found
    found = _load(key_id)
    if found is None:
        with _cache_lock:
            _cache.pop(key_id, None)
        return None
    found[0].expires = now + CACHE_SECONDS
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key_id] = found
    return found


def touch(key: ActiveKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= _TOUCH_EVERY:
        key.last_used_at = now
        AccessKey.objects.filter(pk=key.id).update(last_used_at=now)
