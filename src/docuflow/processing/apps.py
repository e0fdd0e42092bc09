from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_default_workflows(sender, using=None, **kwargs) -> None:
    from docuflow.processing.services import ensure_default_workflows

    ensure_default_workflows(using)


class ProcessingConfig(AppConfig):
    """Extraction and validation inside the document workflow (Task resources, API)."""

    name = "docuflow.processing"
    label = "processing"
    verbose_name = "Document processing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from docuflow.processing import tasks

        tasks.register()
        # Wiring, not business logic: after `migrate`, every existing tenant gets the
        # default workflow. New tenants get it from accounts' tenant creation, which
        # calls services.ensure_default_workflow.
        post_migrate.connect(
            _install_default_workflows, sender=self, dispatch_uid="processing-default-workflows"
        )
