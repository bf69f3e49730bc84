"""Deployment checks of the accounts app (`manage.py check --deploy`, run by the release job)."""

from collections.abc import Sequence
from typing import Any

from django.core import checks
from django.db import DEFAULT_DB_ALIAS, connections
from django_otp.plugins.otp_totp.models import TOTPDevice


@checks.register("accounts", deploy=True)
def clear_authenticators_check(
    app_configs: Sequence[Any] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """django-otp's own TOTP table must stay empty once migration accounts/0013 has sealed its secrets: a row
    written there after (an old worker still running during a rolling deploy, a restored table) holds its
    secret in clear, and the service never reads it, so that account would be offered a new authenticator
    on its password alone. Counted, never named."""
    connection = connections[DEFAULT_DB_ALIAS]
    if TOTPDevice._meta.db_table not in connection.introspection.table_names():
        return []  # a database not migrated yet holds nothing (the release job migrates before it checks)
    held = TOTPDevice.objects.count()
    if not held:
        return []
    return [
        checks.Error(
            f"{held} authenticator secrets are held in clear in django-otp's own table (otp_totp_totpdevice).",
            hint=(
                "Stop every worker of the earlier release; then have the second factor of each account named "
                "by that table's user_id reset (the LA team's reset, which enrols a sealed authenticator) and "
                "delete the table's rows: the service never reads them (docs/DEPLOYMENT.md)."
            ),
            id="accounts.E001",
        )
    ]
