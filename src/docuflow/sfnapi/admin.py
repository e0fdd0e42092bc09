from django.contrib import admin

from docuflow.sfnapi.models import AccessKey


@admin.register(AccessKey)
class AccessKeyAdmin(admin.ModelAdmin):
    """Keys are created with ``docuflow access-key create``; the admin shows and revokes."""

    list_display = ("id", "user", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("id", "user__email")
    fields = ("id", "user", "is_active", "created_at", "last_used_at")
    readonly_fields = ("id", "user", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False
