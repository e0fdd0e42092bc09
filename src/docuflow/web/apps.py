from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "docuflow.web"
    label = "web"
    verbose_name = "Web UI"
