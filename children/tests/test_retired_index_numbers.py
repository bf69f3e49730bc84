"""A retired index number (its record merged away or purged) is never drawn for another child."""

from datetime import date
from unittest import mock

import pytest
from django.db import transaction

from children import index_number
from children.models import Child, RetiredIndexNumber
from children.numbers import index_number_retire, index_numbers_taken
from children.records import ChildDetails, Gender
from children.services import child_build
from children.synthetic.loader import _unique_index_numbers
from tests.personas import make_child


def _deleted_number(world) -> str:
    gone = make_child(world, given_names="Gone")
    gone.delete()
    return gone.index_number


def _fresh(*avoid: str) -> str:
    while (number := index_number.generate()) in avoid:
        pass
    return number


def test_a_deleted_childs_number_is_retired_and_never_drawn_for_a_new_child(world):
    old = _deleted_number(world)
    fresh = _fresh(old)
    with mock.patch.object(index_number, "generate", side_effect=[old, old, fresh]):
        new = make_child(world, given_names="New")
    assert new.index_number == fresh
    assert index_numbers_taken([old, fresh]) == {old, fresh}


def test_only_a_keyed_digest_of_a_retired_number_is_kept(world):
    old = _deleted_number(world)
    [row] = RetiredIndexNumber.objects.values()
    assert set(row) == {"digest"}  # no date, no link to any row
    assert str(row["digest"]) != old and old not in str(row["digest"])


def test_a_delete_rolled_back_retires_nothing(world):
    child = make_child(world)
    child_id = child.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        child.delete()
        raise RuntimeError
    assert Child.objects.filter(pk=child_id).exists()
    assert not RetiredIndexNumber.objects.exists()


def test_retiring_a_number_twice_keeps_one_row(world):
    """A record restored by an unmerge keeps its old number (retired already), and is later purged."""
    index_number_retire("1234567890")
    index_number_retire("1234567890")
    assert RetiredIndexNumber.objects.count() == 1


def test_the_synthetic_loader_draws_again_over_a_retired_number(world):
    old = _deleted_number(world)
    built = child_build(
        local_authority=world.north,
        details=ChildDetails(
            given_names="Ada", family_name="Lovell", gender=Gender.FEMALE, date_of_birth=date(2016, 5, 6)
        ),
    )
    built.child.index_number = old
    fresh = _fresh(old)
    with mock.patch.object(index_number, "generate", side_effect=[fresh]):
        _unique_index_numbers([built])
    assert built.child.index_number == fresh
