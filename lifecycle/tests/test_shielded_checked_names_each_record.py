"""`repair_shredded --shielded-checked` deletes only the shielded leftovers a person names, by record id.

A shielded record left shredded by a failed merge is deleted only once its LA team has checked the shield
of the record it was being merged into (`lifecycle.removal`). The flag was one switch for every such
record: an operator told by one LA team that its record was checked deleted every other shielded
leftover too, including one left by a merge that failed after the team was asked (or another LA's, never
asked), whose shield then went with it and a feed row wrote the hidden address onto its unshielded
survivor. Now the flag names the records checked; any other shielded one is left and counted.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from children.models import Child
from lifecycle.services import removals_repair
from tests.personas import make_child
from tests.shredding import shred_rolled_back


@pytest.fixture
def two_shielded_leftovers(world, clock):
    """Two shielded records of different children, each left by a merge that failed after its shred."""
    checked = make_child(world, given_names="Aoife", family_name="Kelly", shielded=True)
    unchecked = make_child(world, given_names="Bronagh", family_name="Walsh", shielded=True)
    shred_rolled_back(checked)
    shred_rolled_back(unchecked)
    return checked, unchecked


def test_only_the_shielded_record_named_as_checked_is_deleted(world, two_shielded_leftovers):
    checked, unchecked = two_shielded_leftovers

    report = removals_repair(dry_run=False, shielded_checked={checked.pk})

    assert not Child.objects.filter(pk=checked.pk).exists()
    assert Child.objects.filter(pk=unchecked.pk, shielded=True).exists()
    assert (report.found, report.deleted, report.left_shielded) == (2, 1, 1)


def test_the_command_takes_the_ids_of_the_records_whose_shield_was_checked(world, two_shielded_leftovers):
    checked, unchecked = two_shielded_leftovers
    out = StringIO()

    call_command("repair_shredded", "--apply", "--shielded-checked", str(checked.pk), stdout=out)

    assert out.getvalue().splitlines()[1:] == [
        "  found: 2",
        "  deleted: 1",
        "  left, shielded (check the shield first, then --shielded-checked ID): 1",
    ]
    assert not Child.objects.filter(pk=checked.pk).exists()
    assert Child.objects.filter(pk=unchecked.pk).exists()


def test_the_flag_without_an_id_deletes_nothing(world, two_shielded_leftovers):
    with pytest.raises(CommandError):
        call_command("repair_shredded", "--apply", "--shielded-checked", stdout=StringIO())
    assert Child.objects.filter(pk__in=[c.pk for c in two_shielded_leftovers]).count() == 2


def test_the_command_names_each_shielded_record_it_left_by_id_alone(world, two_shielded_leftovers):
    """The operator is given the ids to ask about (never a name, an address or an LA)."""
    checked, unchecked = two_shielded_leftovers
    err = StringIO()

    call_command(
        "repair_shredded", "--apply", "--shielded-checked", str(checked.pk), stderr=err, stdout=StringIO()
    )

    assert err.getvalue().splitlines() == [
        f"record {unchecked.pk}: shielded, left (--shielded-checked {unchecked.pk})"
    ]
    assert "Bronagh" not in err.getvalue() and "Walsh" not in err.getvalue()
