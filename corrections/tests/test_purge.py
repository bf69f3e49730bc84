"""A purged child's corrections and complaints go with it, and a backup taken before opens none of them."""

import copy
from datetime import date

import pytest

from children.models import Child
from corrections.fields import field_for
from corrections.models import Complaint, Correction
from corrections.services import complaint_record, correction_raise, correction_reject
from lifecycle.services import lifecycle_run
from lifecycle.tests.support import move_to
from tests.backups import backup_of, decryptable_fields
from tests.personas import World, build_world

ARCHIVED_ON = date(2033, 3, 4)  # Amelia's 18th birthday (lifecycle.tests.conftest)
PURGE_DUE = date(2039, 3, 4)


@pytest.fixture
def world(clock, db) -> World:  # vetted as of the frozen clock, as lifecycle's: the deciders are judged then
    return build_world()


def test_purging_deletes_corrections_and_complaints_and_an_old_backup_opens_none(world, child, clock):
    correction = correction_raise(
        child=child, field=field_for("family_name"), value="Thorneton", reason="Seen", by=world.alice
    )
    correction_reject(correction=correction, by=world.lena, reason="Register says Thornton")
    complaint_record(
        child=child,
        by=world.lena,
        complainant="child",
        about="use",
        received_on=date(2033, 1, 2),
        summary="Who?",
    )
    move_to(clock, ARCHIVED_ON)
    lifecycle_run()
    backup = backup_of(child)
    backup["rows"] += [copy.deepcopy(r) for r in (*Correction.objects.all(), *Complaint.objects.all())]
    opened, tried = decryptable_fields(backup)
    assert opened == tried
    move_to(clock, PURGE_DUE)
    lifecycle_run()
    assert not Child.objects.filter(pk=child.pk).exists()
    assert not Correction.objects.exists() and not Complaint.objects.exists()
    assert decryptable_fields(backup) == (0, tried)
