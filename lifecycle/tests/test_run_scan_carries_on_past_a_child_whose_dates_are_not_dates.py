"""One record whose date of birth opens but is not a date no longer stops the whole nightly run.

Each child's archive and purge ran isolated (`_each`), but the scan that decides who is due did not: a
value that opens under its key yet is not a date (an impossible 30 February from a bypassed write or an
import), or a year so late that the archive date falls past the calendar's end, raised out of the scan
before any archive and before every purge, every night, naming no child. Now the scan counts it `failed`
as any other child's failed step, names it by id alone (stderr and the log, never the value), and goes on.
Synthetic data only.
"""

import logging
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from audit.tags import AuditTag
from children.models import Child, RecordStatus
from lifecycle.models import Archive
from lifecycle.services import lifecycle_run
from lifecycle.tests.support import events, move_to, status_of
from tests.personas import make_child
from vault.sealing import Sealer

RUN_DAY = date(2033, 3, 4)
NOT_DATES = ("2015-02-30", "9990-06-01")  # no such day; 18 years on is past the year 9999


def _sealed_date_of_birth(child: Child, value: str) -> None:
    with transaction.atomic():
        row = Child.objects.select_related("data_key").get(pk=child.pk)
        Sealer(row.data_key).seal(row, "date_of_birth", value)
        row.save(update_fields=["date_of_birth"])


@pytest.fixture
def night(world, clock):
    """On RUN_DAY: one record turning 18, one archive due for purge, and two whose dates are not dates."""
    move_to(clock, date(2027, 3, 4))
    old = make_child(world, given_names="Harriet", family_name="Pike", date_of_birth=date(2009, 3, 4))
    Child.objects.filter(pk=old.pk).update(status=RecordStatus.ARCHIVED)
    Archive.objects.create(child_id=old.pk, archived_on=date(2027, 3, 4), purge_due_on=RUN_DAY)
    move_to(clock, RUN_DAY)
    due = make_child(world, given_names="Ben", family_name="Osei")  # born 4 March 2015: 18 today
    broken = [make_child(world, given_names=f"Kid{i}", family_name="Vale") for i in range(len(NOT_DATES))]
    for child, value in zip(broken, NOT_DATES, strict=True):
        _sealed_date_of_birth(child, value)
    return {"due": due, "purge": old, "broken": broken}


def test_the_run_archives_and_purges_the_rest_and_counts_each_record_whose_dates_are_not_dates(night, caplog):
    with caplog.at_level(logging.ERROR, logger="lifecycle.services"):
        report = lifecycle_run()
    assert status_of(night["due"]) == RecordStatus.ARCHIVED
    assert not Child.objects.filter(pk=night["purge"].pk).exists()
    assert (report.archived, report.purged, report.failed, report.unreadable) == (1, 1, 2, 0)
    assert report.examined == 3
    assert sorted((f.child_id, f.step, f.error) for f in report.failures) == sorted(
        (child.pk, "archive scan", "ValueError") for child in night["broken"]
    )
    for child in night["broken"]:
        assert status_of(child) == RecordStatus.ACTIVE  # never archived on a guess
        assert str(child.pk) in caplog.text
    for value in (*NOT_DATES, "2015", "9990"):
        assert value not in caplog.text  # the error's message quotes the value: never logged
    assert events(AuditTag.LifecycleRunCompleted)[-1].additional["failed"] == 2


def test_the_command_names_each_by_id_on_stderr_and_exits_non_zero(night):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 child"):
        call_command("lifecycle_run", stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    for child in night["broken"]:
        assert f"archive scan failed for child {child.pk}: ValueError" in lines
        assert str(child.pk) not in out.getvalue()
    for value in NOT_DATES:
        assert value not in err.getvalue() + out.getvalue()
    assert status_of(night["due"]) == RecordStatus.ARCHIVED


def test_a_dry_run_counts_them_too(night):
    report = lifecycle_run(dry_run=True)
    assert (report.archived, report.purged, report.failed) == (1, 1, 2)
    assert status_of(night["due"]) == RecordStatus.ACTIVE


def test_the_report_keeps_the_first_failures_only_and_counts_them_all(night, monkeypatch):
    """A fault failing every record (the key provider down) would keep millions of ids in memory."""
    import lifecycle.services

    monkeypatch.setattr(lifecycle.services, "IDS_KEPT", 1)
    err = StringIO()
    with pytest.raises(CommandError, match="2 child"):
        call_command("lifecycle_run", stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].startswith("archive scan failed for child ")
    assert lines[1] == "... and 1 more failures not listed"
