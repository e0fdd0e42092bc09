"""DRF permission classes built on the role table in ``roles``."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from docuflow.accounts import roles


class IsTenantMember(BasePermission):
    """Signed in, active, and a member of a tenant (system superusers have none)."""

    message = "This endpoint is for members of a tenant."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.tenant_id)


class CanManageOrReadOnly(IsTenantMember):
    message = "Only a MANAGER or ADMIN may change this."

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or roles.can_manage(request.user.role)


class CanManage(IsTenantMember):
    message = "Only a MANAGER or ADMIN may do this."

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and roles.can_manage(request.user.role)
