"""Migration accounts/0011 adds "one open account per email address"; open accounts already sharing an
address stop it with a clear error naming their account ids (never the address), rather than a
constraint failure; closed accounts and accounts with no address are left out."""

import importlib

import pytest
from django.db import IntegrityError, transaction

from tests.migrations import migrate_to

BEFORE = [("accounts", "0010_organisation_code_unique_ignoring_case")]
MIGRATION = importlib.import_module("accounts.migrations.0011_open_email_unique")


@pytest.mark.django_db(transaction=True)
def test_open_accounts_sharing_an_address_stop_the_migration_until_one_is_closed():
    executor = migrate_to(BEFORE)
    User = executor.loader.project_state(BEFORE).apps.get_model("accounts", "User")
    first = User.objects.create(username="ivy1", username_skeleton="ivy1", email="ivy@example.org")
    twin = User.objects.create(username="ivy2", username_skeleton="ivy2", email="IVY@example.org")
    User.objects.create(username="ivy3", username_skeleton="ivy3", email="ivy@example.org", is_active=False)
    User.objects.create(username="feed1", username_skeleton="feed1", email="")
    User.objects.create(username="feed2", username_skeleton="feed2", email="")

    with pytest.raises(
        MIGRATION.OpenAccountsShareAnEmailAddress, match=f"account ids\\): {first.pk}, {twin.pk};"
    ) as raised:
        migrate_to(None)
    assert "example.org" not in str(raised.value)

    User.objects.filter(pk=twin.pk).update(is_active=False)
    migrate_to(None)
    from accounts.models import User as Current

    with pytest.raises(IntegrityError), transaction.atomic():
        Current.objects.create(username="ivy4", email="Ivy@Example.org")
    Current.objects.create(username="ivy5", email="ivy.other@example.org")
