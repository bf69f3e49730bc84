from django.apps import AppConfig


class TeamConfig(AppConfig):
    """The LA team's account administration pages (top floor: accounts' services under the policy)."""

    name = "team"
