from django.contrib import admin

from docuflow.processing.models import DocumentExtraction, ExtractionRuleSet


@admin.register(DocumentExtraction)
class DocumentExtractionAdmin(admin.ModelAdmin):
    list_display = ["document", "version", "status", "document_type", "confidence", "created_at"]
    list_filter = ["status", "document_type", "tenant"]
    readonly_fields = [f.name for f in DocumentExtraction._meta.fields if f.name != "result"]
    exclude = ["result"]  # can be megabytes; the API serves it


@admin.register(ExtractionRuleSet)
class ExtractionRuleSetAdmin(admin.ModelAdmin):
    list_display = ["tenant", "document_type", "confidence_threshold", "updated_at"]
    list_filter = ["tenant"]
    readonly_fields = ["tenant", "created_at", "updated_at"]
