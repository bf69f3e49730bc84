"""A merge with a shielded duplicate shields the survivor: a search made before it no longer lets its maker
identify the survivor, as a shield applied directly does (`Child.found_anew_after`, session 39)."""

from django.urls import reverse

from access.permissions import Permission
from access.policy import decide
from children.models import Child
from linkage.merging import child_merge
from tests.journeys import signed_in
from tests.personas import make_child


def _identifies(world, child) -> bool:
    return decide(
        actor=world.alice, action=Permission.ChildIdentify, child=Child.objects.get(pk=child.pk)
    ).allowed


def test_a_search_before_a_merge_that_shielded_the_survivor_no_longer_identifies_it(world):
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA", shielded=True)
    client = signed_in(world.alice)
    client.post(
        reverse("children:search"),
        {"family_name": "Thornton", "dob_day": "4", "dob_month": "3", "dob_year": "2015"},
    )
    assert _identifies(world, survivor)
    child_merge(survivor=Child.objects.get(pk=survivor.pk), duplicate=duplicate, by=world.lena)
    assert Child.objects.get(pk=survivor.pk).shielded
    assert not _identifies(world, survivor)
