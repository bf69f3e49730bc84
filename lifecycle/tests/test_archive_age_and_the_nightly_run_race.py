"""A consented archive age recorded at the moment the nightly run archives the record, on two real
PostgreSQL sessions. Since session 31 `archive_age_record` judges the record under its row's lock; the
nightly run archives under the same lock (`child_archive_if_due`), judging the dates and archive age as
locked. Whichever comes second waits for the first (shown here by a bounded wait that gives up) and, run
again once the first has committed, sees it: a consent committed first keeps the record active; an archive
committed first refuses the consent. Each takes one child row after its own actor's row (the run none), so
neither can close a circle with the other.
"""

from datetime import date, timedelta

from django.utils import timezone

import lifecycle.services
from children.models import Child, RecordStatus
from lifecycle.moves import RecordChangedSince
from lifecycle.services import archive_age_record, child_archive_if_due
from tests.concurrency import WAITED, paused_for, postgresql_race, waiting_at_most
from tests.personas import build_world, make_child

pytestmark = postgresql_race()


def _nineteen_today() -> date:
    today = timezone.localdate()
    return date(today.year - 19, today.month, 1) - timedelta(days=1)  # 19 years and some days old


def _status(child: Child) -> tuple[str, int]:
    stored = Child.objects.get(pk=child.pk)
    return stored.status, stored.archive_age


def _consent(child, lena) -> object:
    try:
        return archive_age_record(child=Child.objects.get(pk=child.pk), age=21, by=lena)
    except RecordChangedSince as refused:
        return str(refused)


def test_a_consent_holding_the_row_makes_the_nightly_run_wait_and_keeps_the_record(monkeypatch):
    world = build_world()
    child = make_child(world, date_of_birth=_nineteen_today())

    # The consent has locked the row and is about to write when the nightly run reaches the record.
    recorded, archived = paused_for(
        monkeypatch,
        lifecycle.services,
        "event_record",
        before=True,
        read=lambda: _consent(child, world.lena),
        write=waiting_at_most(lambda: child_archive_if_due(child_id=child.pk, today=timezone.localdate())),
    )

    assert (recorded, archived) == (True, WAITED)  # the run waited for the consent's row
    assert child_archive_if_due(child_id=child.pk, today=timezone.localdate()) is None  # then sees it
    assert _status(child) == (RecordStatus.ACTIVE, 21)


def test_an_archive_holding_the_row_makes_the_consent_wait_and_refuses_it(monkeypatch):
    world = build_world()
    child = make_child(world, date_of_birth=_nineteen_today())

    # The nightly run has locked the row and is archiving it when the team's consent arrives.
    archived, recorded = paused_for(
        monkeypatch,
        lifecycle.services,
        "event_record",
        before=True,
        read=lambda: child_archive_if_due(child_id=child.pk, today=timezone.localdate()),
        write=waiting_at_most(lambda: _consent(child, world.lena)),
    )

    assert archived is not None and recorded == WAITED  # the consent waited for the archive's row
    refused = _consent(child, world.lena)  # then sees it
    assert refused == "This record has been archived or closed since you opened it"
    assert _status(child) == (RecordStatus.ARCHIVED, 18)
