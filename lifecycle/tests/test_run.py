"""The daily run: idempotent, a dry run changes nothing and reports the same counts, counts audited."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from lifecycle.models import Archive
from lifecycle.services import lifecycle_run
from lifecycle.tests.support import events, move_to
from tests.personas import make_child

RUN_DAY = date(2039, 3, 4)


@pytest.fixture
def due_today(world, clock):
    """On RUN_DAY: one record archived six years ago (purge due), one turning 18, one not due."""
    purged = make_child(world, given_names="Harriet", date_of_birth=date(2015, 3, 4))
    move_to(clock, date(2033, 3, 4))
    lifecycle_run()
    move_to(clock, RUN_DAY)
    turning_18 = make_child(world, given_names="Ben", family_name="Osei", date_of_birth=date(2021, 3, 4))
    young = make_child(world, given_names="Cora", family_name="Lind", date_of_birth=date(2030, 1, 1))
    dead = make_child(
        world,
        given_names="Dev",
        family_name="Rao",
        date_of_birth=date(2031, 1, 1),
        date_of_death=date(2038, 3, 1),
    )
    return {"purged": purged, "turning_18": turning_18, "young": young, "dead": dead}


def _state() -> tuple:
    """Everything the job could change: statuses, archive rows, audit events (ids and tags)."""
    return (
        sorted(Child.objects.values_list("pk", "status", "updated_at")),
        sorted(Archive.objects.values_list("child_id", "archived_on", "purge_due_on")),
        list(AuditEvent.objects.values_list("pk", "tag")),
    )


def test_a_run_archives_and_purges_what_is_due_and_nothing_else(due_today):
    report = lifecycle_run()
    assert (report.archived_at_age, report.archived_after_death, report.purged) == (1, 1, 1)
    assert report.examined == 3
    assert not Child.objects.filter(pk=due_today["purged"].pk).exists()
    statuses = dict(Child.objects.values_list("pk", "status"))
    assert statuses[due_today["turning_18"].pk] == RecordStatus.ARCHIVED
    assert statuses[due_today["dead"].pk] == RecordStatus.ARCHIVED
    assert statuses[due_today["young"].pk] == RecordStatus.ACTIVE


def test_a_second_run_on_the_same_day_changes_nothing(due_today):
    lifecycle_run()
    before = _state()
    report = lifecycle_run()
    assert (report.archived, report.purged) == (0, 0)
    after = _state()
    assert after[:2] == before[:2]
    assert [tag for _, tag in after[2][len(before[2]) :]] == [AuditTag.LifecycleRunCompleted]


def test_a_dry_run_changes_nothing_and_reports_the_same_counts_as_the_real_run(due_today):
    before = _state()
    dry = lifecycle_run(dry_run=True)
    assert _state() == before
    real = lifecycle_run()
    assert dry.dry_run and not real.dry_run
    assert dry.counts() == real.counts()
    assert (dry.archived, dry.purged) == (2, 1)


def test_the_run_is_audited_with_counts_only(due_today):
    report = lifecycle_run()
    event = events(AuditTag.LifecycleRunCompleted)[-1]
    assert event.actor is None and event.child_id is None
    assert event.additional == report.counts()
    assert set(event.additional) == {
        "examined",
        "archived_at_age",
        "archived_after_death",
        "purged",
        "purged_closed",
        "removals_completed",
        "removals_withheld",
        "removals_shielded",
        "closures_dated",
        "archive_age_capped",
        "unreadable",
        "failed",
    }


def test_the_command_prints_the_report_and_says_when_it_was_a_dry_run(due_today):
    out = StringIO()
    call_command("lifecycle_run", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "DRY RUN: nothing changed" in text
    assert "archived_at_age: 1" in text and "archived_after_death: 1" in text and "purged: 1" in text
    assert Child.objects.filter(status=RecordStatus.ARCHIVED).count() == 1

    out = StringIO()
    call_command("lifecycle_run", stdout=out)
    assert "changes made" in out.getvalue() and "purged: 1" in out.getvalue()


def test_the_report_names_no_child(due_today):
    out = StringIO()
    call_command("lifecycle_run", stdout=out)
    text = out.getvalue()
    for child in due_today.values():
        assert str(child.pk) not in text and child.index_number not in text
    for name in ("Harriet", "Osei", "Lind", "Rao", "Thornton"):
        assert name not in text


def test_a_child_already_archived_or_purged_by_an_overlapping_run_is_left_alone(world, child, clock):
    from lifecycle.services import child_archive, child_purge

    move_to(clock, date(2033, 3, 4))
    assert child_archive(child_id=child.pk, rule="age", today=date(2033, 3, 4))
    assert not child_archive(child_id=child.pk, rule="age", today=date(2033, 3, 4))
    assert child_purge(child_id=child.pk)
    assert not child_purge(child_id=child.pk)
    assert len(events(AuditTag.ChildArchived, child)) == 1
    assert len(events(AuditTag.ChildPurged, child)) == 1
