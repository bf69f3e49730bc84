from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = "Access policy"

    def ready(self) -> None:
        """Give the floors below the rules they must apply but may not import (import-linter floors)."""
        from access.policy import feed_review_write_decide
        from feeds.review import review_write_check_install

        review_write_check_install(feed_review_write_decide)
