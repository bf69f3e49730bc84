from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts, organisations and roles"

    def ready(self) -> None:
        from accounts import checks, signals  # noqa: F401 - signal handlers; the deploy check of clear secrets
