"""Read queries for tenants and members, always scoped by the acting user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from docuflow.accounts.models import Tenant, User


def members_of(actor: User) -> QuerySet[User]:
    return User.objects.filter(tenant_id=actor.tenant_id).order_by("joined_at", "email")


def member(actor: User, member_id) -> User:
    """Another tenant's user is simply not found (404), never forbidden."""
    return get_object_or_404(members_of(actor), pk=member_id)


def tenant_profile(tenant: Tenant) -> dict:
    from docuflow.accounts.usage import documents_used

    return {
        "tenant_id": tenant.slug,
        "name": tenant.name,
        "plan": tenant.plan,
        "documents_used": documents_used(tenant),
        "documents_limit": tenant.documents_limit,
        "members_count": tenant.members.filter(is_active=True).count(),
        "created_at": tenant.created_at,
    }
