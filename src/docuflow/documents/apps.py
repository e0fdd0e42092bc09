from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "docuflow.documents"
    label = "documents"
    verbose_name = "Document vault"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from docuflow.accounts.usage import register_document_counter
        from docuflow.documents.selectors import documents_count

        register_document_counter(documents_count)
