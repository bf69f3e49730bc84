from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Pages built on the audit ledger: reports, subject access (HTML, PDF). Top floor: nothing imports it."""

    name = "reports"
