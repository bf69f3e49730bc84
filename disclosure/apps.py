from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "Disclosure: the one approved route for an export naming children"

    def ready(self) -> None:
        # Shreds an export's reference and reason when a child it names is purged (disclosure.retention).
        from disclosure import retention  # noqa: F401
