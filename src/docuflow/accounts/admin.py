from django.contrib import admin

from docuflow.accounts.models import Tenant, User


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "plan", "documents_limit", "created_at")
    search_fields = ("slug", "name")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "tenant", "role", "is_active", "is_staff", "joined_at")
    list_filter = ("tenant", "role", "is_active")
    search_fields = ("email",)
    exclude = ("password",)
    readonly_fields = ("last_login", "joined_at")
