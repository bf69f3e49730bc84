from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "linkage"
    verbose_name = "Linkage: matching incoming records, clerical review"

    def ready(self) -> None:
        # Moves an open review naming a child just shielded to the LA team (linkage.holding); shreds the
        # review labels that hold a purged child's identity (linkage.retention).
        from linkage import holding, retention  # noqa: F401
