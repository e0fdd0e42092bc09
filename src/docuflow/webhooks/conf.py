"""Webhook settings, read when used (tests change them with ``settings``/``monkeypatch``).

| variable | default | meaning |
|---|---|---|
| ``DOCUFLOW_WEBHOOK_ALLOWLIST`` | empty | host names or networks (CIDR) that webhooks may reach in production mode although they are private or loopback |
| ``DOCUFLOW_WEBHOOK_MAX_ATTEMPTS`` | 6 | attempts per delivery before it is marked FAILED |
| ``DOCUFLOW_WEBHOOK_POLL_SECONDS`` | 1 | how often the delivery loop looks for due deliveries |
"""

from __future__ import annotations

import ipaddress
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

#: Seconds to wait after failed attempt n (1-based); the last value repeats.
BACKOFF_SECONDS = (30, 120, 600, 3600, 6 * 3600)
#: Per socket operation (connect, send, each read) …
TIMEOUT_SECONDS = 5.0
#: … and for a whole attempt, so a server that answers byte by byte cannot hold a sender.
ATTEMPT_DEADLINE_SECONDS = 10.0
#: How long a claimed delivery stays with its sender (well beyond one attempt's deadline).
LEASE_SECONDS = 60
#: Bytes of the receiver's answer read, and characters kept, for diagnostics.
RESPONSE_READ_BYTES = 1024
RESPONSE_KEEP_CHARS = 200
#: Largest number of endpoints per tenant.
MAX_ENDPOINTS_PER_TENANT = 20


def _env(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    return str(value) if value is not None else os.environ.get(name, default)


def production() -> bool:
    return bool(getattr(settings, "PRODUCTION", False))


def _number(name: str, default: str, kind, minimum):
    raw = _env(name, default)
    try:
        value = kind(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def max_attempts() -> int:
    return _number("DOCUFLOW_WEBHOOK_MAX_ATTEMPTS", "6", int, 1)


def poll_seconds() -> float:
    return _number("DOCUFLOW_WEBHOOK_POLL_SECONDS", "1", float, 0.05)


def check() -> None:
    """Fail at start-up, not in a status change's transaction, on a malformed value."""
    max_attempts()
    poll_seconds()


def allowlist() -> tuple[frozenset[str], tuple]:
    """(host names, networks) from ``DOCUFLOW_WEBHOOK_ALLOWLIST`` (comma-separated)."""
    hosts: set[str] = set()
    networks = []
    for item in _env("DOCUFLOW_WEBHOOK_ALLOWLIST", "").split(","):
        item = item.strip().lower()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            hosts.add(item.rstrip("."))
    return frozenset(hosts), tuple(networks)


def backoff_after(attempt: int) -> int:
    """Seconds before the next try once attempt number ``attempt`` (1-based) failed."""
    return BACKOFF_SECONDS[min(max(attempt, 1), len(BACKOFF_SECONDS)) - 1]
