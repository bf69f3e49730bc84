"""The nightly job archives a record only if it is due as the record is stored when it is archived.

The job first reads every active record's dates (at national scale that scan takes a long time), then
archives what it found due, one record at a time. Between the two another request can commit: the LA
team records the consented archive age of a care leaver (21), a data manager accepts a correction of
the date of birth, a feed brings a corrected date. Archiving on the scan's copy would take a live
record out of every practitioner's view, against the age or date the record now holds.
"""

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from audit.tags import AuditTag
from children.models import Child, RecordStatus
from children.selectors import child_details
from children.services import child_details_update
from lifecycle import services
from lifecycle.models import Archive
from lifecycle.services import archive_age_record, lifecycle_run
from lifecycle.tests.support import events, move_to, status_of
from tests.personas import make_child

pytestmark = pytest.mark.django_db

BIRTHDAY_18 = date(2033, 3, 4)  # Amelia (tests.personas.make_child) is born on 4 March 2015


def _while_the_scan_is_done(monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], None]) -> None:
    """Run `meanwhile` (another request, committed) after the job's scan has read the records."""
    scan = services._archives_due

    def scan_then_another_request(*args: Any, **kwargs: Any) -> tuple[list[tuple[UUID, str]], list[UUID]]:
        due = scan(*args, **kwargs)
        meanwhile()
        return due

    monkeypatch.setattr(services, "_archives_due", scan_then_another_request)


def _not_archived(child: Child) -> None:
    assert status_of(child) == RecordStatus.ACTIVE
    assert not Archive.objects.filter(child_id=child.pk).exists()
    assert events(AuditTag.ChildArchived, child) == []


def test_an_archive_age_recorded_after_the_scan_read_the_record_keeps_it_active(world, clock, monkeypatch):
    amelia = make_child(world)
    move_to(clock, BIRTHDAY_18)
    _while_the_scan_is_done(monkeypatch, lambda: archive_age_record(child=amelia, age=21, by=world.lena))

    report = lifecycle_run()

    _not_archived(amelia)
    assert report.archived == 0
    assert Child.objects.values_list("archive_age", flat=True).get(pk=amelia.pk) == 21


def test_a_date_of_birth_corrected_after_the_scan_read_the_record_keeps_it_active(world, clock, monkeypatch):
    amelia = make_child(world)
    move_to(clock, BIRTHDAY_18)

    def corrected() -> None:
        details = child_details(amelia)
        details.date_of_birth = date(2017, 3, 4)  # she is 16, not 18
        child_details_update(child=amelia, details=details, columns=["date_of_birth"], by=world.dara)

    _while_the_scan_is_done(monkeypatch, corrected)

    report = lifecycle_run()

    _not_archived(amelia)
    assert report.archived == 0


def test_a_record_still_due_as_stored_is_archived_by_the_rule_it_is_due_under(world, clock, monkeypatch):
    """The re-check does not stop an archive that is still due: a death recorded after the scan (the
    scan saw the 18th birthday) archives the record, under the rule that holds now."""
    amelia = make_child(world)
    move_to(clock, BIRTHDAY_18)

    def death_recorded() -> None:
        details = child_details(amelia)
        details.date_of_death = date(2031, 6, 1)
        child_details_update(child=amelia, details=details, columns=["date_of_death"], by=None)

    _while_the_scan_is_done(monkeypatch, death_recorded)

    report = lifecycle_run()

    assert status_of(amelia) == RecordStatus.ARCHIVED
    assert (report.archived_at_age, report.archived_after_death) == (0, 1)
