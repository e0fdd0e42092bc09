from django.contrib import admin

from docuflow.documents.models import Document, DocumentVersion, DocumentWorkflow


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    fields = ["number", "filename", "content_type", "size", "sha256", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "tenant",
        "document_type",
        "status",
        "version",
        "file_size",
        "created_at",
    ]
    list_filter = ["tenant", "status", "document_type", "visibility"]
    search_fields = ["title", "filename", "sha256"]
    readonly_fields = [
        "id",
        "version",
        "filename",
        "content_type",
        "file_size",
        "sha256",
        "workflow_arn",
    ]
    inlines = [VersionInline]

    def has_delete_permission(self, request, obj=None):
        # Deleting through the API also removes the blobs and stops the workflow.
        return False


@admin.register(DocumentWorkflow)
class DocumentWorkflowAdmin(admin.ModelAdmin):
    list_display = ["tenant", "document_type", "state_machine"]
    list_filter = ["tenant"]
