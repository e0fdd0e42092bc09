"""Status events: one call per status change, fanned out after the transaction commits.

Services call ``document_status_changed`` inside the transaction that changed the
status. Nothing is sent if that transaction rolls back, and a save that changes no
status must not call it. Subscribers (the WebSocket group of the tenant) receive the
event once the change is durable.

In-transaction subscribers (``subscribe_in_transaction``) run inside that transaction,
before it commits, so an outbox row they write (webhook deliveries) commits or rolls
back with the change itself. They are part of the transaction: if one raises, the
change rolls back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusEvent:
    tenant_id: str
    subject: str  # "document" | "certification"
    subject_id: str
    status: str
    previous: str | None
    updated_at: datetime
    # Who may see it: None means every member of the tenant; else user ids and roles.
    visible_to_users: frozenset[str] | None = None
    visible_to_roles: frozenset[str] | None = None


_subscribers: list[Callable[[StatusEvent], None]] = []
_in_transaction: list[Callable[[StatusEvent], None]] = []


def subscribe(callback: Callable[[StatusEvent], None]) -> None:
    _subscribers.append(callback)


def subscribe_in_transaction(callback: Callable[[StatusEvent], None]) -> None:
    """Run ``callback`` inside the publishing transaction (for outbox writes)."""
    if callback not in _in_transaction:
        _in_transaction.append(callback)


def _deliver(event: StatusEvent) -> None:
    for callback in _subscribers:
        try:
            callback(event)
        except Exception:  # one broken subscriber must not stop the others
            log.exception("status subscriber %r failed", callback)


def publish(event: StatusEvent) -> None:
    for callback in _in_transaction:
        callback(event)
    transaction.on_commit(lambda: _deliver(event))


def document_status_changed(document, previous: str | None) -> None:
    """Announce a document's new status (call only when it really changed)."""
    restricted = document.visibility == "RESTRICTED"
    publish(
        StatusEvent(
            tenant_id=document.tenant_id,
            subject="document",
            subject_id=str(document.pk),
            status=document.status,
            previous=previous,
            updated_at=document.updated_at,
            visible_to_users=(
                frozenset(str(pk) for pk in document.allowed_users.values_list("pk", flat=True))
                | ({str(document.uploaded_by_id)} if document.uploaded_by_id else set())
                if restricted
                else None
            ),
            # Same rule as documents.selectors: ADMINs see every restricted document.
            visible_to_roles=(
                frozenset({"ADMIN", *document.role_grants.values_list("role", flat=True)})
                if restricted
                else None
            ),
        )
    )
