from django.apps import AppConfig


class CorrectionsConfig(AppConfig):
    name = "corrections"
    verbose_name = "Corrections and complaints"

    def ready(self) -> None:
        # Lapses a pending correction when its record is archived or closed (corrections.lapsing).
        from corrections import lapsing  # noqa: F401
