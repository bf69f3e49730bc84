"""A shielded record left shredded by a failed merge is never deleted on its own: its shield would go with it.

A merge keeps a shield on the survivor (the safer union); a merge that fails after its shred keeps
nothing, so the shield stays only on the duplicate, which nothing can read. While that record is there,
its keys still catch a feed row about the child, which is held for its LA team (fail closed). The nightly removal
deleted it with its keys, and the same row then found only the unshielded survivor and wrote the
shielded child's new address onto it, for every practitioner to read: the 2009 failure.

Now the run leaves such a record, counts it (`removals_shielded`) and fails for a person to look, and
`repair_shredded` deletes it only when told the shield was checked (`--shielded-checked`: its LA team
has shielded the record it was being merged into, if that is the same child).
"""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from feeds.tests.factories import feed_row, health_rows_ingest
from lifecycle.removal import removal_complete
from lifecycle.services import lifecycle_run
from lifecycle.tests.support import events
from tests.personas import make_child
from tests.shredding import shred_rolled_back

HIDDEN_POSTCODE = "BD1 1AA"


@pytest.fixture
def survivor_and_shielded_leftover(world, clock):
    """An unshielded record of a child and the shielded record of the same child a merge was folding in,
    the merge failed after its shred."""
    survivor = make_child(
        world, given_names="Aoife", family_name="Kelly", date_of_birth=date(2015, 3, 4), postcode="LS1 4AB"
    )
    leftover = make_child(
        world,
        given_names="Aoife",
        family_name="Kelly",
        date_of_birth=date(2015, 3, 4),
        postcode=HIDDEN_POSTCODE,
        shielded=True,
    )
    shred_rolled_back(leftover)
    return survivor, leftover


def _feed_row_about_the_child(world) -> None:
    """A feed row about the child at the address the shield hides (held for the leftover's LA team)."""
    row = feed_row(
        given_names="Aoife",
        family_name="Kelly",
        date_of_birth="2015-03-04",
        postcode=HIDDEN_POSTCODE,
        address_line="9 Canal Street",
        nhs_number=None,
    )
    health_rows_ingest(world, [row])


def test_the_nightly_run_never_deletes_a_shielded_record_so_its_address_never_reaches_the_survivor(
    world, survivor_and_shielded_leftover
):
    survivor, leftover = survivor_and_shielded_leftover
    report = lifecycle_run()
    assert Child.objects.filter(pk=leftover.pk, shielded=True).exists()
    assert (report.removals_completed, report.removals_shielded) == (0, 1)
    assert events(AuditTag.RemovalCompleted) == []
    assert events(AuditTag.LifecycleRunCompleted)[-1].additional["removals_shielded"] == 1

    _feed_row_about_the_child(world)
    assert child_details(Child.objects.get(pk=survivor.pk)).address.postcode != HIDDEN_POSTCODE


def test_the_nightly_command_asks_for_a_person(world, survivor_and_shielded_leftover):
    out = StringIO()
    with pytest.raises(CommandError, match="1 shielded active record"):
        call_command("lifecycle_run", stdout=out)
    assert "removals_shielded: 1" in out.getvalue()


def test_the_removal_itself_refuses_a_shielded_record_unless_the_shield_was_checked(
    world, survivor_and_shielded_leftover
):
    _, leftover = survivor_and_shielded_leftover
    assert removal_complete(child_id=leftover.pk) is False
    assert Child.objects.filter(pk=leftover.pk).exists()
    assert removal_complete(child_id=leftover.pk, shielded_checked=True) is True
    assert not Child.objects.filter(pk=leftover.pk).exists()


def test_the_operators_command_deletes_it_only_when_told_the_shield_was_checked(
    world, survivor_and_shielded_leftover
):
    _, leftover = survivor_and_shielded_leftover
    out = StringIO()
    call_command("repair_shredded", "--apply", stdout=out)
    assert out.getvalue().splitlines()[1:] == [
        "  found: 1",
        "  deleted: 0",
        "  left, shielded (check the shield first, then --shielded-checked ID): 1",
    ]
    assert Child.objects.filter(pk=leftover.pk).exists()

    out = StringIO()
    call_command("repair_shredded", "--apply", "--shielded-checked", str(leftover.pk), stdout=out)
    assert out.getvalue().splitlines()[1:] == ["  found: 1", "  deleted: 1"]
    assert not Child.objects.filter(pk=leftover.pk).exists()


def test_shielded_records_left_shredded_count_toward_the_nights_limit(
    world, survivor_and_shielded_leftover, settings
):
    """The limit judges how many keys were shredded at once: one shielded and one other is two."""
    settings.LIFECYCLE_REMOVALS_PER_RUN = 1
    other = make_child(world, given_names="Ben", family_name="Osei")
    shred_rolled_back(other)
    report = lifecycle_run()
    assert Child.objects.filter(pk=other.pk).exists()
    assert (report.removals_completed, report.removals_withheld, report.removals_shielded) == (0, 1, 1)
