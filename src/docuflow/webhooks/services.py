"""Managing endpoints, and writing deliveries in the transaction of each status change."""

from __future__ import annotations

import secrets
import uuid

from django.db import transaction

from docuflow.api.errors import UnprocessableEntity
from docuflow.audit import services as audit
from docuflow.engine import clock
from docuflow.notifications.events import StatusEvent
from docuflow.webhooks import conf, crypto, urlcheck
from docuflow.webhooks.models import (
    EVENT_TYPE_OF_SUBJECT,
    PING,
    WebhookDelivery,
    WebhookEndpoint,
)

SECRET_PREFIX = "whsec_"  # noqa: S105 (a label, not a secret)


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _hint(secret: str) -> str:
    return secret[: len(SECRET_PREFIX) + 4] + "…"


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _check_url(url: str) -> str:
    try:
        return urlcheck.validate(url)
    except urlcheck.URLRefused as exc:
        raise UnprocessableEntity({"url": [str(exc)]}) from None


def _audit(actor, endpoint: WebhookEndpoint, action: str, request=None, **details) -> None:
    audit.record(
        tenant=endpoint.tenant_id,
        actor=actor,
        action=action,
        object_type="webhook",
        object_id=endpoint.pk,
        request=request,
        details=details,
    )


# --- endpoints ---------------------------------------------------------------------------


def create_endpoint(
    actor,
    *,
    url: str,
    description: str = "",
    event_types=(),
    statuses=(),
    active: bool = True,
    request=None,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (returned here once; only its seal is stored)."""
    _check_url(url)
    secret = _new_secret()
    now = clock.now()
    with transaction.atomic():
        if (
            WebhookEndpoint.objects.filter(tenant_id=actor.tenant_id).count()
            >= conf.MAX_ENDPOINTS_PER_TENANT
        ):
            raise UnprocessableEntity(
                f"A tenant may have at most {conf.MAX_ENDPOINTS_PER_TENANT} webhooks."
            )
        pk = uuid.uuid4()
        endpoint = WebhookEndpoint.objects.create(
            id=pk,
            tenant_id=actor.tenant_id,
            url=url,
            description=description,
            secret_sealed=crypto.seal(secret, str(pk)),
            secret_hint=_hint(secret),
            event_types=sorted(set(event_types)),
            statuses=sorted(set(statuses)),
            active=active,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        _audit(
            actor,
            endpoint,
            "webhook.created",
            request,
            url=url,
            event_types=endpoint.event_types,
            statuses=endpoint.statuses,
            active=active,
        )
    return endpoint, secret


EDITABLE = ("url", "description", "event_types", "statuses", "active")


def update_endpoint(
    actor, endpoint: WebhookEndpoint, *, request=None, **changes
) -> WebhookEndpoint:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "url" in changes:
        _check_url(changes["url"])
    for name in ("event_types", "statuses"):
        if name in changes:
            changes[name] = sorted(set(changes[name]))
    changed = {k: v for k, v in changes.items() if getattr(endpoint, k) != v}
    if not changed:
        return endpoint
    with transaction.atomic():
        for name, value in changed.items():
            setattr(endpoint, name, value)
        endpoint.updated_at = clock.now()
        endpoint.save(update_fields=[*changed, "updated_at"])
        _audit(actor, endpoint, "webhook.updated", request, changes=changed)
    return endpoint


def delete_endpoint(actor, endpoint: WebhookEndpoint, *, request=None) -> None:
    """Delete an endpoint with its deliveries (pending ones are not sent)."""
    with transaction.atomic():
        pending = endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING).count()
        _audit(actor, endpoint, "webhook.deleted", request, url=endpoint.url, pending=pending)
        endpoint.delete()


def rotate_secret(actor, endpoint: WebhookEndpoint, *, request=None) -> tuple[WebhookEndpoint, str]:
    """Replace the secret at once: every attempt from now on is signed with the new one."""
    secret = _new_secret()
    now = clock.now()
    with transaction.atomic():
        endpoint.secret_sealed = crypto.seal(secret, str(endpoint.pk))
        endpoint.secret_hint = _hint(secret)
        endpoint.secret_rotated_at = now
        endpoint.updated_at = now
        endpoint.save(
            update_fields=["secret_sealed", "secret_hint", "secret_rotated_at", "updated_at"]
        )
        _audit(actor, endpoint, "webhook.secret_rotated", request)
    return endpoint, secret


def send_test(actor, endpoint: WebhookEndpoint, *, request=None) -> WebhookDelivery:
    """Send a ``ping`` event now (one attempt, no retry) and return its delivery."""
    from docuflow.webhooks import delivery

    now = clock.now()
    event_id = uuid.uuid4()
    with transaction.atomic():
        ping = WebhookDelivery.objects.create(
            tenant_id=endpoint.tenant_id,
            endpoint=endpoint,
            event_id=event_id,
            event_type=PING,
            payload={
                "id": str(event_id),
                "type": PING,
                "tenant_id": endpoint.tenant_id,
                "created_at": _iso(now),
                "data": {"webhook_id": str(endpoint.pk)},
            },
            max_attempts=1,
            next_attempt_at=now,
            created_at=now,
        )
    delivery.deliver_now(ping.pk)
    ping.refresh_from_db()
    with transaction.atomic():
        _audit(
            actor,
            endpoint,
            "webhook.tested",
            request,
            delivery_id=str(ping.pk),
            status=ping.status,
            status_code=ping.last_status_code,
            error=ping.last_error,
        )
    return ping


# --- the in-transaction subscriber ---------------------------------------------------------


def queue_for_event(event: StatusEvent) -> list[WebhookDelivery]:
    """Write one delivery per interested endpoint, inside the status change's transaction.

    Subscribed with ``events.subscribe_in_transaction``: the rows commit or roll back
    with the change, so no committed change goes unannounced and no rolled-back one is
    announced. Sending happens after commit (``delivery.wake``).
    """
    event_type = EVENT_TYPE_OF_SUBJECT.get(event.subject)
    if event_type is None:
        return []
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(tenant_id=event.tenant_id, active=True).only(
            "id", "tenant_id", "event_types", "statuses"
        )
        if endpoint.wants(event_type, event.status)
    ]
    if not endpoints:
        return []
    from docuflow.webhooks import delivery

    now = clock.now()
    event_id = uuid.uuid4()
    payload = {
        "id": str(event_id),
        "type": event_type,
        "tenant_id": event.tenant_id,
        "created_at": _iso(now),
        "data": {
            "subject_id": event.subject_id,
            "status": event.status,
            "previous": event.previous,
            "updated_at": _iso(event.updated_at),
        },
    }
    attempts = conf.max_attempts()
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                tenant_id=event.tenant_id,
                endpoint=endpoint,
                event_id=event_id,
                event_type=event_type,
                payload=payload,
                max_attempts=attempts,
                next_attempt_at=now,
                created_at=now,
            )
            for endpoint in endpoints
        ]
    )
    transaction.on_commit(delivery.wake)
    return rows
