"""The index number of a record merged away is never drawn for a new child (its papers still quote it)."""

from unittest import mock

from children import index_number
from children.models import Child
from linkage.merging import child_merge, child_unmerge
from tests.personas import make_child


def _fresh(*avoid: str) -> str:
    while (number := index_number.generate()) in avoid:
        pass
    return number


def test_a_merged_away_records_number_is_not_given_to_a_new_child(world):
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    fresh = _fresh(duplicate.index_number, survivor.index_number)
    with mock.patch.object(index_number, "generate", side_effect=[duplicate.index_number, fresh]):
        new = make_child(world, given_names="Newcomer", family_name="Ashby")
    assert new.index_number == fresh
    assert not Child.objects.filter(index_number=duplicate.index_number).exists()


def test_a_record_restored_by_an_unmerge_can_be_merged_away_again(world):
    """Its number was retired by the first merge; the second retires it again without a clash."""
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    restored = child_unmerge(merge=merge, by=world.lena)
    assert restored.index_number == duplicate.index_number
    child_merge(survivor=Child.objects.get(pk=survivor.pk), duplicate=restored, by=world.lena)
    assert not Child.objects.filter(index_number=duplicate.index_number).exists()
