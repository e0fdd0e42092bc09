from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "docuflow.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from docuflow.engine import worker
        from docuflow.notifications import events
        from docuflow.webhooks import conf, delivery, services

        conf.check()
        # Deliveries are written inside the transaction that changed the status …
        events.subscribe_in_transaction(services.queue_for_event)
        # … and sent (and retried) by a loop that runs wherever the engine worker runs.
        if delivery.start_in_background not in worker.background_starters:
            worker.background_starters.append(delivery.start_in_background)
