from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "docuflow.analytics"
    label = "analytics"
    verbose_name = "Analytics"
