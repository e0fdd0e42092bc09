from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "docuflow.notifications"
    label = "notifications"
    verbose_name = "Notifications"
