"""Deliver status events to the tenant's WebSocket group through the channel layer.

With the in-memory layer (the embedded default) only sockets of this process hear it.
``docuflow serve``'s own worker runs in a child process that relays its events to the
server (``relay_to``, ``docuflow.runtime``), so every socket of that server hears them.
With separate ``docuflow worker`` processes or several servers, set ``REDIS_URL`` so the
layer spans processes.

In a process that serves WebSockets the event is queued for one sender task on the
server's event loop (the one its sockets live on) and the caller goes on; that task sends
one event at a time, so sockets see a subject's statuses in the order they were set even
when the layer's sends take network round trips (Redis). Elsewhere (``docuflow worker``)
it is sent from a loop of its own and the caller waits for it.
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


# The event loop this process's sockets run on (set when one connects), and the queue its
# sender task drains in order.
_server_loop: asyncio.AbstractEventLoop | None = None
_outbox: asyncio.Queue | None = None
_sender: asyncio.Task | None = None
# In the worker child of ``docuflow serve``: where events go instead of a channel layer.
_relay: Callable[[str, dict], None] | None = None


def relay_to(send: Callable[[str, dict], None]) -> None:
    global _relay
    _relay = send


def serve_on(loop: asyncio.AbstractEventLoop) -> None:
    """Called from the loop that serves the sockets: events are sent there, in order."""
    global _server_loop, _outbox, _sender
    if _server_loop is loop:
        return
    _outbox = asyncio.Queue()
    _sender = loop.create_task(_send_in_order(_outbox))
    _server_loop = loop


async def _send_in_order(outbox: asyncio.Queue) -> None:
    layer = get_channel_layer()
    while True:
        group, message = await outbox.get()
        try:
            await layer.group_send(group, message)
        except Exception:  # one failed send must not stop the ones behind it
            log.exception("status event not sent")


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
    loop, outbox = _server_loop, _outbox
    if loop is not None and outbox is not None and loop.is_running():
        # No loop (and thread) of our own per event: the server's sender task sends it.
        loop.call_soon_threadsafe(outbox.put_nowait, (group, message))
        return
    async_to_sync(layer.group_send)(group, message)
