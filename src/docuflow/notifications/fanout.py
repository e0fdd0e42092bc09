"""Deliver status events to the tenant's WebSocket group through the channel layer.

With the in-memory layer (the embedded default) only sockets of this process hear it,
which is every socket when the worker runs inside ``docuflow serve``. With separate
worker processes or several servers, set ``REDIS_URL`` so the layer spans processes.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from docuflow.notifications.consumers import tenant_group
from docuflow.notifications.events import StatusEvent

MESSAGE_TYPES = {
    "document": "DOCUMENT_STATUS_UPDATE",
    "certification": "CERTIFICATION_STATUS_UPDATE",
}
ID_FIELDS = {"document": "document_id", "certification": "request_id"}


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
    async_to_sync(layer.group_send)(tenant_group(event.tenant_id), message)
