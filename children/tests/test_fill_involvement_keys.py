from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from children.models import Involvement
from children.records import InvolvementDetails
from children.services import DuplicateInvolvement, involvement_record


def _details(world):
    return InvolvementDetails(
        "Alice Example", "Social worker", world.north_social_care.pk, started_on=date(2024, 1, 1)
    )


def test_involvements_recorded_before_the_key_get_it_and_are_then_protected(world, child):
    first = involvement_record(child=child, by=world.alice, details=_details(world))
    Involvement.objects.filter(pk=first.pk).update(current_key=None)  # as if recorded before the key
    out = StringIO()
    call_command("fill_involvement_keys", stdout=out)
    assert "keys set on 1 involvements; 0 duplicates" in out.getvalue()
    first.refresh_from_db()
    assert first.current_key is not None
    with pytest.raises(DuplicateInvolvement):
        involvement_record(child=child, by=world.alice, details=_details(world))
    again = StringIO()
    call_command("fill_involvement_keys", stdout=again)
    assert "keys set on 0 involvements" in again.getvalue()


def test_an_older_duplicate_keeps_the_key_and_the_later_is_counted(world, child):
    first = involvement_record(child=child, by=world.alice, details=_details(world))
    Involvement.objects.filter(pk=first.pk).update(current_key=None)
    second = involvement_record(child=child, by=world.alice, details=_details(world))
    Involvement.objects.filter(pk=second.pk).update(current_key=None)
    out = StringIO()
    call_command("fill_involvement_keys", stdout=out)
    assert "keys set on 1 involvements; 1 duplicates left without one" in out.getvalue()
    first.refresh_from_db()
    assert first.current_key is not None
