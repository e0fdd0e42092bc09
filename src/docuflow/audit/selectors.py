"""Reading the audit log, always within the acting user's tenant."""

from __future__ import annotations

from django.db.models import QuerySet

from docuflow.audit.models import AuditEntry


def entries_for(
    actor,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id=None,
    action: str | None = None,
    created_from=None,
    created_to=None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.filter(tenant_id=actor.tenant_id)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if action:
        entries = entries.filter(action=action)
    if created_from is not None:
        entries = entries.filter(created_at__gte=created_from)
    if created_to is not None:
        entries = entries.filter(created_at__lte=created_to)
    return entries.order_by("-created_at", "-id")
