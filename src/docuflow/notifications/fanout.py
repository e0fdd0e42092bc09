"""Deliver status events to the tenant's WebSocket group through the channel layer.

With the in-memory layer (the embedded default) only sockets of this process hear it.
``docuflow serve``'s own worker runs in a child process that relays its events to the
server (``relay_to``, ``docuflow.runtime``), so every socket of that server hears them.
With separate ``docuflow worker`` processes or several servers, set ``REDIS_URL`` so the
layer spans processes.

In a process that serves WebSockets the event is handed to the server's event loop (the
one its sockets live on) and the caller goes on; elsewhere (``docuflow worker``) it is
sent from a loop of its own and the caller waits for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

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
# In the worker child of ``docuflow serve``: where events go instead of a channel layer.
_relay: Callable[[str, dict], None] | None = None


def relay_to(send: Callable[[str, dict], None]) -> None:
    global _relay
    _relay = send


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
    message = {
        "type": "status.event",
        "payload": payload(event),
        "users": sorted(event.visible_to_users) if event.visible_to_users is not None else None,
        "roles": sorted(event.visible_to_roles) if event.visible_to_roles is not None else None,
    }
    group = tenant_group(event.tenant_id)
    if _relay is not None:
        _relay(group, message)
    else:
        deliver(group, message)


def deliver(group: str, message: dict) -> None:
    """Send a message to a group through this process's channel layer."""
    layer = get_channel_layer()
    if layer is None:
        return
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
