"""Sending deliveries: claim under a lease, POST signed JSON, record, back off, retry.

A sender claims one due PENDING delivery at a time. The claim runs in a transaction
that takes the row with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite's
``IMMEDIATE`` transactions serialize claimers) and stamps a lease plus the attempt
count with a conditional UPDATE, so of several workers exactly one sends a given
attempt. The POST runs outside any transaction; only the lease holder records the
outcome. If a sender dies, its lease runs out and another one sends again: delivery is
at least once, and receivers deduplicate by ``X-DocuFlow-Event-Id``.

Attempt n failing (no answer within the deadline, a refused address, any status other
than 2xx, redirects included since none is followed) schedules the next one after
``conf.backoff_after(n)`` (30 s, 2 min, 10 min, 1 h, 6 h …). After the delivery's
``max_attempts`` it is FAILED and ``webhook.delivery_failed`` is audited; a success
is audited as ``webhook.delivered``.

``start_in_background`` runs the sending loop; the engine's worker starts it, so it runs
in ``docuflow serve`` (once, in the parent) and in every ``docuflow worker``.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import close_old_connections, connection, transaction
from django.db.models import Q

from docuflow.audit import services as audit
from docuflow.engine import clock, worker
from docuflow.webhooks import conf, crypto, signing, urlcheck
from docuflow.webhooks.models import PING, WebhookDelivery

log = logging.getLogger(__name__)

USER_AGENT = "DocuFlow-Webhooks/1"
SENDER_THREADS = 2

_wakeup = threading.Event()
WAKE_SENDER = b"h"


def wake() -> None:
    """A delivery was committed in this process: the sending loop sends it at once."""
    _wakeup.set()
    worker.forward_wakeup(WAKE_SENDER)  # the loop runs in the server's worker child, if any


# --- claiming ------------------------------------------------------------------------------


def claim(now: datetime | None = None, *, pk=None) -> WebhookDelivery | None:
    """Take one due delivery (or the one with ``pk``, due or not) under a fresh lease."""
    now = now or clock.now()
    due = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )
    if pk is not None:
        due = due.filter(pk=pk)
    else:
        due = due.filter(next_attempt_at__lte=now, endpoint__active=True).order_by(
            "next_attempt_at", "id"
        )
    # A plain read first: an idle loop never takes SQLite's write lock.
    if not due.exists():
        return None
    owner = uuid.uuid4().hex
    with transaction.atomic():
        locked = due
        if connection.features.has_select_for_update_skip_locked:
            locked = locked.select_for_update(skip_locked=True, of=("self",))
        row = locked.only("id", "attempts").first()
        if row is None:
            return None
        taken = WebhookDelivery.objects.filter(
            pk=row.pk, status=WebhookDelivery.Status.PENDING, attempts=row.attempts
        ).update(
            lease_owner=owner,
            lease_until=now + timedelta(seconds=conf.LEASE_SECONDS),
            attempts=row.attempts + 1,
            last_attempt_at=now,
        )
        if not taken:
            return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=row.pk)


# --- one attempt ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""
    response: str = ""


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def attempt(delivery: WebhookDelivery, now: datetime) -> Outcome:
    endpoint = delivery.endpoint
    try:
        secret = crypto.unseal(endpoint.secret_sealed, str(endpoint.pk))
    except crypto.SealError:
        return Outcome(False, error="secret unreadable (SECRET_KEY changed?): rotate the secret")
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-DocuFlow-Event": delivery.event_type,
        "X-DocuFlow-Event-Id": str(delivery.event_id),
        "X-DocuFlow-Delivery": str(delivery.pk),
        signing.HEADER: signing.header(secret, int(now.timestamp()), body),
    }
    try:
        status, snippet = post(endpoint.url, body, headers)
    except urlcheck.URLRefused as exc:
        return Outcome(False, error=f"refused: {exc}")
    except TimeoutError:
        return Outcome(False, error="timed out")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= status < 300:
        return Outcome(True, status, response=snippet)
    return Outcome(False, status, error=f"HTTP {status}", response=snippet)


class _HTTPConnection(http.client.HTTPConnection):
    """Connects to one checked address while speaking to the URL's host name."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _abort(conn: http.client.HTTPConnection) -> None:
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def post(url: str, body: bytes, headers: dict) -> tuple[int, str]:
    """POST once; (status, start of the answer). Follows no redirect.

    Raises ``URLRefused``, ``TimeoutError``, ``OSError`` or ``HTTPException``.
    """
    scheme, host, port, addresses = urlcheck.addresses_to_connect(url)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    klass = _HTTPSConnection if scheme == "https" else _HTTPConnection
    error: OSError | None = None
    for address in addresses:
        conn = klass(host, port, address, conf.TIMEOUT_SECONDS)
        try:
            conn.connect()
        except OSError as exc:
            conn.close()
            error = exc
            continue
        deadline = threading.Timer(conf.ATTEMPT_DEADLINE_SECONDS, _abort, args=(conn,))
        deadline.daemon = True
        deadline.start()
        try:
            conn.request("POST", target, body=body, headers=headers)
            response = conn.getresponse()
            answer = response.read(conf.RESPONSE_READ_BYTES)
            return response.status, answer.decode("utf-8", "replace")[: conf.RESPONSE_KEEP_CHARS]
        finally:
            deadline.cancel()
            conn.close()
    raise error or OSError(f"{host} has no address")


# --- recording -----------------------------------------------------------------------------


def record(delivery: WebhookDelivery, outcome: Outcome, now: datetime) -> str:
    """Store an attempt's outcome (only while holding the lease). Returns the new status."""
    common = {
        "lease_owner": "",
        "lease_until": None,
        "last_status_code": outcome.status_code,
        "last_response": outcome.response[: conf.RESPONSE_KEEP_CHARS],
    }
    if outcome.ok:
        status = WebhookDelivery.Status.DELIVERED
        fields = {"status": status, "delivered_at": now, "last_error": "", **common}
    elif delivery.attempts >= delivery.max_attempts:
        status = WebhookDelivery.Status.FAILED
        fields = {"status": status, "last_error": outcome.error[:500], **common}
    else:
        status = WebhookDelivery.Status.PENDING
        fields = {
            "status": status,
            "last_error": outcome.error[:500],
            "next_attempt_at": now + timedelta(seconds=conf.backoff_after(delivery.attempts)),
            **common,
        }
    with transaction.atomic():
        mine = WebhookDelivery.objects.filter(
            pk=delivery.pk,
            status=WebhookDelivery.Status.PENDING,
            lease_owner=delivery.lease_owner,
            attempts=delivery.attempts,
        ).update(**fields)
        if not mine:  # the lease ran out and another sender took over
            return delivery.status
        if status != WebhookDelivery.Status.PENDING and delivery.event_type != PING:
            audit.record(
                tenant=delivery.tenant_id,
                actor=None,
                action=(
                    "webhook.delivered"
                    if status == WebhookDelivery.Status.DELIVERED
                    else "webhook.delivery_failed"
                ),
                object_type="webhook",
                object_id=delivery.endpoint_id,
                details={
                    "delivery_id": str(delivery.pk),
                    "event_id": str(delivery.event_id),
                    "event_type": delivery.event_type,
                    "attempts": delivery.attempts,
                    "status_code": outcome.status_code,
                    **({"error": outcome.error[:200]} if not outcome.ok else {}),
                },
            )
    if not outcome.ok:
        log.warning(
            "webhook delivery %s to %s, attempt %s/%s: %s",
            delivery.pk,
            delivery.endpoint.url,
            delivery.attempts,
            delivery.max_attempts,
            outcome.error,
        )
    return status


def _send(delivery: WebhookDelivery, now: datetime | None) -> str:
    outcome = attempt(delivery, now or clock.now())
    return record(delivery, outcome, now or clock.now())


def deliver_now(pk) -> str | None:
    """Send one delivery at once, due or not (the test ping). None if another sender has it."""
    delivery = claim(pk=pk)
    return _send(delivery, None) if delivery is not None else None


def deliver_due(now: datetime | None = None, limit: int = 50) -> int:
    """Send up to ``limit`` due deliveries, one claim at a time. Returns how many were tried.

    ``now`` fixes the time of claims, signatures and back-off (tests); by default it is
    the engine's clock at each step.
    """
    done = 0
    while done < limit:
        delivery = claim(now)
        if delivery is None:
            break
        _send(delivery, now)
        done += 1
    return done


# --- the background loop -----------------------------------------------------------------


def run(stop: threading.Event) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            done = deliver_due()
        except Exception:  # database briefly unavailable: wait and try again
            log.exception("webhook sender could not deliver")
            done = 0
        if done == 0:
            _wakeup.wait(conf.poll_seconds())
            _wakeup.clear()
    connection.close()


def start_in_background(stop: threading.Event) -> None:
    """Started by the engine's worker (``worker.background_starters``)."""
    for index in range(SENDER_THREADS):
        threading.Thread(
            target=run, args=(stop,), daemon=True, name=f"docuflow-webhooks-{index}"
        ).start()
