from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "docuflow.engine"
    label = "engine"
    verbose_name = "Workflow engine"

    def ready(self) -> None:
        from docuflow.engine import builtin_resources  # noqa: F401  (registers docuflow-echo)
