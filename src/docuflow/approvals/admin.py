"""Read-mostly admin views. The task token is never shown (it is a capability)."""

from django.contrib import admin

from docuflow.approvals.models import (
    ApprovalSettings,
    CertificationRequest,
    HumanTask,
    OutboundEmail,
)


@admin.register(HumanTask)
class HumanTaskAdmin(admin.ModelAdmin):
    list_display = ["id", "tenant", "subject_type", "subject_id", "stage", "status", "created_at"]
    list_filter = ["status", "subject_type"]
    exclude = ["task_token", "idempotency_key"]
    readonly_fields = [
        f.name
        for f in HumanTask._meta.concrete_fields
        if f.name not in ("task_token", "idempotency_key")
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CertificationRequest)
class CertificationRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "tenant", "requester", "course", "cost", "status", "request_date"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApprovalSettings)
class ApprovalSettingsAdmin(admin.ModelAdmin):
    list_display = ["tenant", "certification_cost_limit", "escalate_after_seconds"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["to_address", "kind", "subject_type", "subject_id", "sent_at", "attempts"]
    exclude = ["context"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
