from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = "Coordination: match alerts, lead professional, informing the family"

    def ready(self) -> None:
        # Connects the match check to every newly recorded involvement (coordination.recording).
        from coordination import recording  # noqa: F401
