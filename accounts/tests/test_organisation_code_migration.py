"""Migration accounts/0010 adds "codes unique ignoring case"; existing look-alike codes stop it with a clear
error naming them (directory data), rather than a constraint failure."""

import importlib

import pytest

from tests.migrations import migrate_to

BEFORE = [("accounts", "0009_username_skeleton_unique")]
MIGRATION = importlib.import_module("accounts.migrations.0010_organisation_code_unique_ignoring_case")


@pytest.mark.django_db(transaction=True)
def test_existing_codes_differing_only_in_case_stop_the_migration_until_one_is_changed():
    executor = migrate_to(BEFORE)
    Organisation = executor.loader.project_state(BEFORE).apps.get_model("accounts", "Organisation")
    Organisation.objects.create(kind="school", name="Upper Case School", code="URN-1")
    twin = Organisation.objects.create(kind="school", name="Lower Case School", code="urn-1")
    Organisation.objects.create(kind="school", name="Other School", code="URN-2")

    with pytest.raises(MIGRATION.CodesDifferingOnlyInCaseExist, match="different letter case: URN-1;"):
        migrate_to(None)

    Organisation.objects.filter(pk=twin.pk).update(code="URN-3")
    migrate_to(None)
    from accounts.models import Organisation as Current

    assert sorted(Current.objects.filter(name__endswith="School").values_list("code", flat=True)) == [
        "URN-1",
        "URN-2",
        "URN-3",
    ]
