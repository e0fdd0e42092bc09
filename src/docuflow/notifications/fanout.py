"""Deliver status events to the tenant's WebSocket group through the channel layer.

With the in-memory layer (the embedded default) only sockets of this process hear it,
which is every socket when the worker runs inside ``docuflow serve``. With separate
worker processes or several servers, set ``REDIS_URL`` so the layer spans processes.

In a process that serves WebSockets the event is handed to the server's event loop (the
one its sockets live on) and the caller goes on; elsewhere (``docuflow worker``) it is
sent from a loop of its own and the caller waits for it.
"""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from docuflow.notifications.events import StatusEvent

MESSAGE_TYPES = {
    "document": "DOCUMENT_STATUS_UPDATE",
    "certification": "CERTIFICATION_STATUS_UPDATE",
}
ID_FIELDS = {"document": "document_id", "certification": "request_id"}

log = logging.getLogger(__name__)


def tenant_group(tenant_id: str) -> str:
    return f"tenant.{tenant_id}"


# The event loop this process's sockets run on (set when one connects).
_server_loop: asyncio.AbstractEventLoop | None = None


def serve_on(loop: asyncio.AbstractEventLoop) -> None:
    """Called from the loop that serves the sockets: events are sent there."""
    global _server_loop
    _server_loop = loop


def payload(event: StatusEvent) -> dict:
    return {
        "type": MESSAGE_TYPES.get(event.subject, f"{event.subject.upper()}_STATUS_UPDATE"),
        ID_FIELDS.get(event.subject, "id"): event.subject_id,
        "status": event.status,
        "updated_at": event.updated_at.isoformat().replace("+00:00", "Z"),
    }


def send_to_group(event: StatusEvent) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {
        "type": "status.event",
        "payload": payload(event),
        "users": sorted(event.visible_to_users) if event.visible_to_users is not None else None,
        "roles": sorted(event.visible_to_roles) if event.visible_to_roles is not None else None,
    }
    group = tenant_group(event.tenant_id)
    loop = _server_loop
    if loop is not None and loop.is_running() and not _on(loop):
        # No loop (and thread) of our own per event: the server's loop sends it, in order.
        asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop).add_done_callback(
            _log_failure
        )
        return
    async_to_sync(layer.group_send)(group, message)


def _on(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _log_failure(future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("status event not sent", exc_info=future.exception())
