from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "docuflow.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from docuflow.notifications import events, fanout

        events.subscribe(fanout.send_to_group)
