from django.apps import AppConfig


class InsightConfig(AppConfig):
    """Management information pages: suppressed counts, charts and CSV. Top floor: nothing imports it."""

    name = "insight"
