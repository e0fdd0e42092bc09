from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "docuflow.approvals"
    label = "approvals"
    verbose_name = "Approvals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from docuflow.approvals import handlers

        handlers.register()
