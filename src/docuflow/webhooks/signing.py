"""The ``X-DocuFlow-Signature`` header (Stripe-like) and its check for receivers.

``X-DocuFlow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``, where the HMAC key is
the endpoint's secret exactly as shown (its UTF-8 bytes) and the message is
``"<t>." + body`` (the raw request body bytes). A receiver recomputes it, compares in
constant time, and refuses a ``t`` older than a few minutes, so a captured request
cannot be replayed later. ``t`` is the time of each attempt: a retry is signed anew.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-DocuFlow-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(int(timestamp)).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={int(timestamp)},{SCHEME}={signature(secret, timestamp, body)}"


def verify(
    secret: str,
    value: str,
    body: bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when ``value`` (the header) signs ``body`` with ``secret`` and is recent."""
    timestamp = None
    candidates = []
    for part in (value or "").split(","):
        key, _, item = part.strip().partition("=")
        if key == "t" and item.isdigit():
            timestamp = int(item)
        elif key == SCHEME:
            candidates.append(item)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
