"""Archiving, with a frozen clock: at 18, at a recorded archive age up to 25, one year after a death."""

from datetime import date

import pytest

from accounts.dates import years_after
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from children.services import child_build
from lifecycle.models import Archive
from lifecycle.moves import RecordChangedSince
from lifecycle.rules import ArchiveRule
from lifecycle.services import ArchiveAgeRefused, archive_age_record, lifecycle_run
from lifecycle.tests.support import events, move_to, status_of
from tests.personas import make_child
from vault.sealing import note_unseal

BIRTHDAY_18 = date(2033, 3, 4)


def test_a_child_is_not_archived_the_day_before_their_18th_birthday(world, child):
    report = lifecycle_run()
    assert status_of(child) == RecordStatus.ACTIVE
    assert report.archived == 0 and report.examined == 1
    assert events(AuditTag.ChildArchived) == []


def test_a_child_is_archived_on_their_18th_birthday(world, child, clock):
    move_to(clock, BIRTHDAY_18)
    report = lifecycle_run()
    assert status_of(child) == RecordStatus.ARCHIVED
    assert report.archived_at_age == 1 and report.archived_after_death == 0
    archive = Archive.objects.get(child=child)
    assert archive.archived_on == BIRTHDAY_18
    assert archive.purge_due_on == date(2039, 3, 4)


def test_archiving_is_audited_with_the_rule_sealed_under_the_childs_key(world, child, clock):
    move_to(clock, BIRTHDAY_18)
    lifecycle_run()
    [event] = events(AuditTag.ChildArchived, child)
    assert event.actor is None
    assert set(event.additional) == {"rule_sealed"}
    assert "age" not in event.additional["rule_sealed"]
    fresh = Child.objects.select_related("data_key").get(pk=child.pk)
    assert note_unseal(fresh.data_key, context="lifecycle", sealed=event.additional["rule_sealed"]) == "age"


def test_a_recorded_archive_age_of_25_keeps_the_record_until_the_25th_birthday(world, child, clock):
    archive_age_record(child=child, age=25, by=world.lena)
    move_to(clock, BIRTHDAY_18)
    lifecycle_run()
    move_to(clock, date(2040, 3, 3))
    lifecycle_run()
    assert status_of(child) == RecordStatus.ACTIVE
    move_to(clock, date(2040, 3, 4))
    assert lifecycle_run().archived_at_age == 1
    assert status_of(child) == RecordStatus.ARCHIVED


def test_a_recorded_archive_age_of_21_archives_on_the_21st_birthday(world, child, clock):
    archive_age_record(child=child, age=21, by=world.lena)
    move_to(clock, date(2036, 3, 3))
    lifecycle_run()
    assert status_of(child) == RecordStatus.ACTIVE
    move_to(clock, date(2036, 3, 4))
    lifecycle_run()
    assert status_of(child) == RecordStatus.ARCHIVED


def test_recording_an_archive_age_is_audited(world, child):
    archive_age_record(child=child, age=21, by=world.lena)
    [event] = events(AuditTag.ArchiveAgeRecorded, child)
    assert event.actor == world.lena and event.additional["age"] == 21
    assert Child.objects.get(pk=child.pk).archive_age == 21


@pytest.mark.parametrize("age", [26, 30, 17])
def test_an_archive_age_above_25_or_below_18_is_refused_and_nothing_is_recorded(world, child, age):
    with pytest.raises(ArchiveAgeRefused):
        archive_age_record(child=child, age=age, by=world.lena)
    assert Child.objects.get(pk=child.pk).archive_age == 18
    assert events(AuditTag.ArchiveAgeRecorded) == []


def test_building_a_child_with_an_archive_age_above_25_is_refused(world):
    from children.records import ChildDetails

    details = ChildDetails("Zara", "Quill", "female", date(2015, 1, 1))
    with pytest.raises(ValueError, match="archive age"):
        child_build(local_authority=world.north, details=details, archive_age=26)


def test_a_stored_archive_age_above_25_is_still_archived_on_the_25th_birthday(world, child, clock):
    Child.objects.filter(pk=child.pk).update(archive_age=30)  # a write that bypassed the service
    move_to(clock, date(2040, 3, 4))
    report = lifecycle_run()
    assert status_of(child) == RecordStatus.ARCHIVED
    assert report.archive_age_capped == 1


def test_a_child_is_archived_one_year_after_a_recorded_death(world, clock):
    child = make_child(world, date_of_birth=date(2020, 5, 1), date_of_death=date(2030, 6, 10))
    move_to(clock, date(2031, 6, 9))
    lifecycle_run()
    assert status_of(child) == RecordStatus.ACTIVE
    move_to(clock, date(2031, 6, 10))
    report = lifecycle_run()
    assert status_of(child) == RecordStatus.ARCHIVED
    assert report.archived_after_death == 1 and report.archived_at_age == 0
    [event] = events(AuditTag.ChildArchived, child)
    fresh = Child.objects.select_related("data_key").get(pk=child.pk)
    assert note_unseal(fresh.data_key, context="lifecycle", sealed=event.additional["rule_sealed"]) == (
        ArchiveRule.DEATH
    )


def test_a_death_shortly_before_18_still_archives_on_the_18th_birthday(world, clock):
    child = make_child(world, date_of_death=date(2032, 12, 1))
    move_to(clock, BIRTHDAY_18)
    report = lifecycle_run()
    assert status_of(child) == RecordStatus.ARCHIVED
    assert report.archived_at_age == 1


def test_a_child_born_on_29_february_is_archived_on_1_march_in_a_common_year(world, clock):
    child = make_child(world, date_of_birth=date(2016, 2, 29))
    assert years_after(date(2016, 2, 29), 18) == date(2034, 3, 1)
    move_to(clock, date(2034, 2, 28))
    lifecycle_run()
    assert status_of(child) == RecordStatus.ACTIVE
    move_to(clock, date(2034, 3, 1))
    lifecycle_run()
    assert status_of(child) == RecordStatus.ARCHIVED


def test_a_record_whose_keys_are_gone_is_never_archived_on_a_guess_but_deleted(world, child, clock):
    """Only a shred destroys a key: the record's removal is completed (`lifecycle.removal`)."""
    from children.shredding import child_shred

    child_shred(child=child, by=None)
    move_to(clock, BIRTHDAY_18)
    report = lifecycle_run()
    assert report.unreadable == 0 and report.archived == 0 and report.removals_completed == 1
    assert not Child.objects.filter(pk=child.pk).exists()
    assert events(AuditTag.ChildArchived, child) == []


def test_an_archive_age_cannot_be_recorded_once_the_record_is_archived(world, child, clock):
    move_to(clock, BIRTHDAY_18)
    lifecycle_run()
    with pytest.raises(RecordChangedSince, match="archived"):
        archive_age_record(child=child, age=25, by=world.lena)
    assert Child.objects.get(pk=child.pk).archive_age == 18
    assert events(AuditTag.ArchiveAgeRecorded) == []
