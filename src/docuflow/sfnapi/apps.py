from django.apps import AppConfig


class SfnApiConfig(AppConfig):
    name = "docuflow.sfnapi"
    label = "sfnapi"
    verbose_name = "Step Functions API"
    default_auto_field = "django.db.models.BigAutoField"
