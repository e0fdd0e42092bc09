"""Writing the audit log. Other apps call ``record``; nothing else writes entries."""

from __future__ import annotations

import ipaddress

from docuflow.audit.models import AuditEntry


def client_ip(request) -> str | None:
    """The client's address as the server saw it (uvicorn applies trusted proxy headers)."""
    if request is None:
        return None
    raw = (getattr(request, "META", None) or {}).get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def record(
    *,
    tenant,
    actor,
    action: str,
    object_type: str,
    object_id,
    version: int | None = None,
    request=None,
    ip: str | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the transaction of the change it records."""
    actor_id = getattr(actor, "pk", None)
    return AuditEntry.objects.create(
        tenant_id=getattr(tenant, "pk", tenant),
        actor_id=actor_id,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        version=version,
        ip=ip if ip is not None else client_ip(request),
        details=details or {},
    )
