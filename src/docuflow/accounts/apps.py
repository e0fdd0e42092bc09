from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "docuflow.accounts"
    label = "accounts"
    verbose_name = "Accounts and tenants"

    def ready(self) -> None:
        from docuflow.accounts import schema  # noqa: F401  (registers the OpenAPI scheme)
