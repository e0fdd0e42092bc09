from django.apps import AppConfig


class DynamoConfig(AppConfig):
    name = "docuflow.dynamo"
    label = "dynamo"
    verbose_name = "DynamoDB tables"

    def ready(self) -> None:
        from docuflow.dynamo import integrations

        integrations.register()
