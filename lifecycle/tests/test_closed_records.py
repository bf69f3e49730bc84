"""Records closed for a new identity, with a frozen clock: never archived, and crypto-shredded and
deleted six years after the close (as an archive is six years after archiving), leaving the same
non-personal tombstone. The new identity follows the ordinary rules on its own."""

import copy
import importlib
import json
from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from children.models import BlockingKeyEntry, Carer, Child, Involvement, RecordStatus
from children.records import Address, ChildDetails, Gender, InvolvementDetails
from children.services import involvement_record
from lifecycle.identity import CLOSE_CATEGORY_CONTEXT, new_identity_create
from lifecycle.models import Archive, Closure
from lifecycle.services import closed_record_purge, lifecycle_run
from lifecycle.tests.conftest import EVE_OF_18TH_BIRTHDAY
from lifecycle.tests.support import events, move_to, status_of
from tests.backups import backup_of, decryptable_fields
from tests.personas import make_child
from vault.crypto import DecryptionFailed
from vault.models import DataKey
from vault.sealing import Sealer, note_unseal

CLOSED_ON = EVE_OF_18TH_BIRTHDAY.date()  # 3 March 2033, the day before Amelia turns 18
EIGHTEENTH_BIRTHDAY = date(2033, 3, 4)
PURGE_DUE = date(2039, 3, 3)
NEW_IDENTITY = ChildDetails(
    given_names="Poppy",
    family_name="Marchbank",
    gender=Gender.FEMALE,
    date_of_birth=date(2015, 3, 4),  # an adoption keeps the date of birth
    address=Address(lines=["8 Elmhurst Gardens", "York"], postcode="YO1 7HH"),
)


@pytest.fixture
def closed(world, child):
    """Amelia, with a carer and an involvement, closed by North's team for an adoption on CLOSED_ON."""
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails("Alice Example", "Social worker", world.north_social_care.pk, "0300 1"),
    )
    new = new_identity_create(
        old=child, by=world.lena, category="adoption", details=NEW_IDENTITY, shielded=False
    )
    old = Child.objects.select_related("data_key").get(pk=child.pk)
    return old, new


def _state() -> tuple:
    """Everything the job could change: statuses, archive and closure rows, audit events."""
    return (
        sorted(Child.objects.values_list("pk", "status", "updated_at")),
        sorted(Archive.objects.values_list("child_id", "archived_on", "purge_due_on")),
        sorted(Closure.objects.values_list("child_id", "closed_on", "purge_due_on")),
        list(AuditEvent.objects.values_list("pk", "tag")),
    )


def test_closing_a_record_for_a_new_identity_dates_the_close_and_its_purge_six_years_on(closed):
    old, new = closed
    closure = Closure.objects.get()
    assert (closure.child_id, closure.closed_on, closure.purge_due_on) == (old.pk, CLOSED_ON, PURGE_DUE)
    assert not Closure.objects.filter(child_id=new.pk).exists()


def test_a_closed_record_is_never_archived_even_on_its_18th_birthday(closed, clock):
    old, new = closed
    move_to(clock, EIGHTEENTH_BIRTHDAY)
    report = lifecycle_run()
    assert status_of(old) == RecordStatus.CLOSED
    assert not Archive.objects.filter(child_id=old.pk).exists()
    assert events(AuditTag.ChildArchived, old) == []
    # The new identity shares the date of birth and follows the ordinary rule: archived at 18.
    assert (report.archived_at_age, status_of(new)) == (1, RecordStatus.ARCHIVED)


def test_a_closed_record_is_not_purged_the_day_before_six_years_have_passed(closed, clock):
    old, _ = closed
    move_to(clock, date(2039, 3, 2))
    report = lifecycle_run()
    assert report.purged_closed == 0
    assert status_of(old) == RecordStatus.CLOSED


def test_a_closed_record_is_crypto_shredded_and_deleted_six_years_after_it_was_closed(closed, clock):
    old, _ = closed
    backup = backup_of(old)
    opened, tried = decryptable_fields(backup)
    assert opened == tried > 20  # a real backup: everything opens before the purge
    move_to(clock, PURGE_DUE)
    report = lifecycle_run()
    assert (report.purged_closed, report.purged) == (1, 0)
    assert not Child.objects.filter(pk=old.pk).exists()
    assert not Closure.objects.filter(child_id=old.pk).exists()
    assert not Carer.objects.filter(child_id=old.pk).exists()
    assert not Involvement.objects.filter(child_id=old.pk).exists()
    assert not BlockingKeyEntry.objects.filter(child_id=old.pk).exists()
    assert DataKey.objects.filter(pk=old.data_key_id, shredded_at__isnull=True).count() == 0
    assert decryptable_fields(backup) == (0, tried)


def test_the_purge_of_a_closed_record_leaves_one_non_personal_tombstone_naming_nothing_new(closed, clock):
    old, new = closed
    [closed_event] = events(AuditTag.ChildClosed, old)
    key = copy.deepcopy(old.data_key)
    assert note_unseal(key, context=CLOSE_CATEGORY_CONTEXT, sealed=closed_event.additional["category_sealed"])
    move_to(clock, PURGE_DUE)
    lifecycle_run()
    [tombstone] = events(AuditTag.ChildPurged, old)
    assert tombstone.actor is None
    assert tombstone.additional == {"carers_deleted": 1, "involvements_deleted": 1}
    text = json.dumps(tombstone.additional)
    assert str(new.pk) not in text and new.index_number not in text
    [shredded] = events(AuditTag.ChildShredded, old)
    assert shredded.id < tombstone.id
    with pytest.raises(DecryptionFailed):  # why it was closed died with the record's keys
        note_unseal(key, context=CLOSE_CATEGORY_CONTEXT, sealed=closed_event.additional["category_sealed"])


def test_the_new_identity_is_untouched_by_the_old_records_purge(closed, clock):
    old, new = closed
    move_to(clock, PURGE_DUE)
    lifecycle_run()
    fresh = Child.objects.select_related("data_key").get(pk=new.pk)
    assert Sealer(fresh.data_key).unseal(fresh, "family_name") == "Marchbank"
    assert not Child.objects.filter(pk=old.pk).exists()


def test_a_dry_run_reports_the_closed_record_due_and_changes_nothing(closed, clock):
    move_to(clock, PURGE_DUE)
    before = _state()
    dry = lifecycle_run(dry_run=True)
    assert _state() == before
    assert dry.purged_closed == 1
    out = StringIO()
    call_command("lifecycle_run", "--dry-run", stdout=out)
    assert "DRY RUN: nothing changed" in out.getvalue() and "purged_closed: 1" in out.getvalue()
    assert _state() == before
    real = lifecycle_run()
    assert dry.counts() == real.counts()


def test_a_second_run_purges_nothing_more_and_a_second_purge_of_the_same_record_does_nothing(closed, clock):
    old, _ = closed
    move_to(clock, PURGE_DUE)
    assert lifecycle_run().purged_closed == 1
    before = _state()
    again = lifecycle_run()
    assert (again.purged_closed, again.purged, again.closures_dated) == (0, 0, 0)
    after = _state()
    assert after[:3] == before[:3]
    assert [tag for _, tag in after[3][len(before[3]) :]] == [AuditTag.LifecycleRunCompleted]
    assert not closed_record_purge(child_id=old.pk)
    assert len(events(AuditTag.ChildPurged, old)) == 1


def test_the_run_reports_closed_purges_in_its_audited_counts(closed, clock):
    move_to(clock, PURGE_DUE)
    report = lifecycle_run()
    event = events(AuditTag.LifecycleRunCompleted)[-1]
    assert event.additional == report.counts()
    assert (event.additional["purged_closed"], event.additional["closures_dated"]) == (1, 0)


def test_a_closed_record_with_no_closure_date_is_dated_by_the_job_and_purged_six_years_later(world, clock):
    """A record closed some other way (or before closures were dated) is never kept for ever."""
    undated = make_child(world, given_names="Kai", family_name="Lindqvist")
    Child.objects.filter(pk=undated.pk).update(status=RecordStatus.CLOSED)
    dry = lifecycle_run(dry_run=True)
    assert dry.closures_dated == 1 and not Closure.objects.exists()
    assert lifecycle_run().closures_dated == 1
    assert Closure.objects.get(child_id=undated.pk).purge_due_on == PURGE_DUE
    assert lifecycle_run().closures_dated == 0
    move_to(clock, PURGE_DUE)
    assert lifecycle_run().purged_closed == 1
    assert not Child.objects.filter(pk=undated.pk).exists()


def test_the_migration_dates_an_earlier_close_from_its_audit_event(world, clock):
    """Records closed before this change: dated from their `child:record:closed` event, not the day the
    migration runs, so none is kept longer than six years after its close."""
    migration = importlib.import_module("lifecycle.migrations.0003_closure")
    earlier = make_child(world, given_names="Kai", family_name="Lindqvist")
    Child.objects.filter(pk=earlier.pk).update(status=RecordStatus.CLOSED)
    event_record(tag=AuditTag.ChildClosed, actor=world.lena, child_id=earlier.pk, additional={})
    move_to(clock, date(2034, 1, 10))
    migration.date_closed_records(apps, None)
    closure = Closure.objects.get(child_id=earlier.pk)
    assert (closure.closed_on, closure.purge_due_on) == (CLOSED_ON, PURGE_DUE)
    migration.date_closed_records(apps, None)  # run twice: nothing more
    assert Closure.objects.count() == 1
