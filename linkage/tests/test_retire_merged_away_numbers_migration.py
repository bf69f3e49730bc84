"""Migration linkage/0008 retires the numbers of records merged away before numbers were retired."""

import pytest

from children.models import RetiredIndexNumber
from children.numbers import index_numbers_taken
from linkage.merging import child_merge
from tests.migrations import migrate_to
from tests.personas import make_child


@pytest.mark.django_db(transaction=True)
def test_the_numbers_of_records_merged_away_earlier_are_retired(world):
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    RetiredIndexNumber.objects.all().delete()  # as the merge left it before numbers were retired
    assert index_numbers_taken([duplicate.index_number]) == set()

    migrate_to([("linkage", "0007_carried_identity")])
    migrate_to(None)

    assert index_numbers_taken([duplicate.index_number]) == {duplicate.index_number}
