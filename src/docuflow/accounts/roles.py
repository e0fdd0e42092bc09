"""Tenant roles and what each may do.

Roles are ordered: each one may do everything the roles below it may. Keeping the rules
in one table makes "who may approve?" a lookup, not an if-chain spread over views.
"""

from django.db import models


class Role(models.TextChoices):
    UPLOADER = "UPLOADER", "Uploader"
    REVIEWER = "REVIEWER", "Reviewer"
    MANAGER = "MANAGER", "Manager"
    ADMIN = "ADMIN", "Admin"


RANK = {Role.UPLOADER: 1, Role.REVIEWER: 2, Role.MANAGER: 3, Role.ADMIN: 4}


def at_least(role: str | None, minimum: str) -> bool:
    return role is not None and RANK.get(role, 0) >= RANK[minimum]


def can_upload(role: str | None) -> bool:
    return at_least(role, Role.UPLOADER)


def can_approve(role: str | None) -> bool:
    return at_least(role, Role.REVIEWER)


# The roles whose members may approve (the ones a named approver must hold).
APPROVERS = [role.value for role in Role if can_approve(role)]


def can_manage(role: str | None) -> bool:
    """Manage members and workflow settings."""
    return at_least(role, Role.MANAGER)


def can_grant(actor_role: str | None, target_role: str) -> bool:
    """A manager may hand out roles up to MANAGER; only an ADMIN may create ADMINs."""
    if actor_role == Role.ADMIN:
        return True
    return can_manage(actor_role) and RANK[target_role] <= RANK[Role.MANAGER]
