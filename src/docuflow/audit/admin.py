"""The audit log in the Django admin: readable, never editable."""

from django.contrib import admin

from docuflow.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "tenant", "actor_email", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type", "tenant"]
    search_fields = ["object_id", "actor_email"]
    ordering = ["-created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
