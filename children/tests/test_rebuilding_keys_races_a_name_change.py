"""Rebuilding the blocking keys while a correction changes the child's name (PostgreSQL: two sessions).

`rebuild_blocking_keys` read each child's names, then replaced its keys in a later transaction: a
correction (or feed update) committing in between refiled the keys under the new name, and the rebuild
then filed them back under the old one, so the child was no longer found by the name its record holds.
"""

from dataclasses import replace
from datetime import date
from io import StringIO

from django.core.management import call_command

import children.management.commands.rebuild_blocking_keys as rebuild
from children.models import Child
from children.search import SearchCriteria, child_search
from children.selectors import child_details
from children.services import child_details_update
from tests.concurrency import WAITED, paused_for, postgresql_race, waiting_at_most

pytestmark = postgresql_race("PostgreSQL only: SQLite has one writer")


def test_a_name_corrected_while_keys_are_rebuilt_is_the_name_the_child_is_found_by(world, child, monkeypatch):
    def rename() -> None:
        stored = Child.objects.select_related("data_key").get(pk=child.pk)
        renamed = replace(child_details(stored), family_name="Hargreaves")
        child_details_update(child=stored, details=renamed, columns=["family_name"], by=world.lena)

    _, wrote = paused_for(
        monkeypatch,
        rebuild,
        "child_details",  # the rebuild has read the child's names, not yet filed its keys
        read=lambda: call_command("rebuild_blocking_keys", stdout=StringIO()),
        write=waiting_at_most(rename),
    )

    assert wrote == WAITED  # the rebuild holds the child's row while it reads and files
    stored_name = child_details(Child.objects.select_related("data_key").get(pk=child.pk)).family_name
    outcome = child_search(
        criteria=SearchCriteria(stored_name, date_of_birth=date(2015, 3, 4)), fetched_by=world.alice
    )
    assert [r.child.pk for r in outcome.results] == [child.pk]
