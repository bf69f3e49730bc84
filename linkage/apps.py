from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "linkage"
    verbose_name = "Linkage: matching incoming records, clerical review"

    def ready(self) -> None:
        # Shreds the review labels that hold a purged child's identity (linkage.retention).
        from linkage import retention  # noqa: F401
