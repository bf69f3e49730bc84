from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "feeds"
    verbose_name = "Feeds: sources, batches, ingest"

    def ready(self) -> None:
        # A merge's statements about the duplicate follow it (the merge announces itself from below).
        from feeds import merge_provenance  # noqa: F401
