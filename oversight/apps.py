from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "Oversight: alerts and misuse detection"

    def ready(self) -> None:
        from oversight import alert_email  # noqa: F401  (connects the receiver for stored alerts)
