"""The index number of a purged record is never drawn for a new child (letters and orders still quote it)."""

from dataclasses import replace
from datetime import date
from unittest import mock

from children import index_number
from children.models import Child
from children.selectors import child_details
from lifecycle.identity import new_identity_create
from lifecycle.services import lifecycle_run
from lifecycle.tests.support import move_to
from tests.personas import make_child


def test_a_purged_records_number_is_not_given_to_a_new_child(world, child, clock):
    number = child.index_number
    move_to(clock, date(2033, 3, 4))
    lifecycle_run()  # archived at 18
    move_to(clock, date(2039, 3, 4))
    assert lifecycle_run().purged == 1
    assert not Child.objects.filter(pk=child.pk).exists()
    while (fresh := index_number.generate()) == number:
        pass
    with mock.patch.object(index_number, "generate", side_effect=[number, fresh]):
        new = make_child(world, given_names="Newcomer", family_name="Ashby", date_of_birth=date(2038, 1, 1))
    assert new.index_number == fresh


def test_a_new_identity_is_never_given_a_retired_number(world, child):
    gone = make_child(world, given_names="Gone", family_name="Ashby")
    retired = gone.index_number
    gone.delete()
    while (fresh := index_number.generate()) in (retired, child.index_number):
        pass
    details = child_details(child)
    new_details = replace(details, given_names="Poppy", family_name="Marchbank", former_names=[])
    with mock.patch.object(index_number, "generate", side_effect=[retired, retired, fresh]):
        new = new_identity_create(
            old=child, by=world.lena, category="adoption", details=new_details, shielded=False
        )
    assert new.index_number == fresh
