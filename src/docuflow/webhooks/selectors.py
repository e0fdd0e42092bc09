"""Read queries: always through the acting user, so another tenant's endpoint is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from docuflow.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoints(actor) -> QuerySet[WebhookEndpoint]:
    if not getattr(actor, "tenant_id", None):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(tenant_id=actor.tenant_id).select_related("created_by")


def endpoint(actor, pk) -> WebhookEndpoint:
    return get_object_or_404(endpoints(actor), pk=pk)


def deliveries(actor, endpoint_id, status: str | None = None) -> QuerySet[WebhookDelivery]:
    found = endpoint(actor, endpoint_id)
    rows = WebhookDelivery.objects.filter(tenant_id=found.tenant_id, endpoint=found)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "id")
