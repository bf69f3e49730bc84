"""A correction decided as its record is archived or closed for a new identity: both finish, the record's
end first and the decision then refused in words (PostgreSQL, two real sessions).

An archive or a close locks the child's row, then its pending corrections to lapse them
(`corrections.lapsing`). The decision locked the correction and its child in one statement, which
PostgreSQL takes row by row in the query's order, the correction first: holding the correction, it waited
for the child's row, while the archive or close, holding the child's row, waited for the correction.
PostgreSQL broke the circle by failing one of them: the LA team's page, the new identity page or the
nightly archive run answered with a server error.

The record's end is made to take the child's row first and go on only once the decision waits for it
(`_waiting_for_a_lock`), so the two always meet in that order."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, transaction

from accounts.models import Role
from children.models import Child
from children.records import ChildDetails
from children.services import child_rows_locked
from corrections.fields import field_for
from corrections.models import Correction, CorrectionStatus
from corrections.services import RecordNotActive, correction_accept, correction_raise, correction_reject
from lifecycle.identity import new_identity_create
from lifecycle.services import child_archive
from tests.concurrency import postgresql_race, run_together
from tests.personas import World, make_child, make_user

pytestmark = postgresql_race("PostgreSQL only: SQLite has one writer")


def _waiting_for_a_lock(pid: int, timeout: float = 10.0) -> bool:
    """Is the session `pid` waiting for a lock (within `timeout`)?"""
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
        if row is not None and row[0] == "Lock":
            return True
        time.sleep(0.05)
    return False


def _ended(world: World, child: Child, how: str) -> str:
    """Archive `child` (the nightly run) or close it for a new identity (North's LA team): its status."""
    if how == "archived":
        assert child_archive(child_id=child.pk, rule="age", today=date(2033, 3, 4))
    else:
        details = ChildDetails(
            given_names="Rowan", family_name="Ashdown", date_of_birth=date(2015, 3, 4), gender="female"
        )
        new_identity_create(old=child, by=world.lena, category="adoption", details=details, shielded=False)
    return how


@pytest.mark.parametrize("how", ["archived", "closed"])
@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_a_decision_sent_as_the_record_ends_leaves_no_deadlock(world: World, decision: str, how: str) -> None:
    child = make_child(world)
    decider = make_user("lena-colleague", world.north, Role.LA_TEAM)  # not the one closing it
    field = field_for("family_name")
    assert field is not None
    correction = correction_raise(
        child=child, field=field, value="Thorneton", reason="Birth certificate", by=world.alice
    )
    decider_pid: list[int] = []
    decider_started = threading.Event()
    child_held = threading.Event()

    def decide() -> object:
        assert child_held.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            row = cursor.fetchone()
            assert row is not None
            decider_pid.append(row[0])
        decider_started.set()
        try:
            if decision == "accept":
                correction_accept(correction=correction, by=decider)
            else:
                correction_reject(correction=correction, by=decider, reason="Not proven")
        except RecordNotActive:
            return "refused: ended"
        except Exception as error:  # the deadlock's victim, or any other failure: reported, not raised
            return error
        return "decided"

    def end() -> object:
        try:
            with transaction.atomic():
                assert child_rows_locked().filter(pk=child.pk).first() is not None
                child_held.set()
                assert decider_started.wait(timeout=30)
                assert _waiting_for_a_lock(decider_pid[0]), "the decision never waited for the record"
                return _ended(world, child, how)
        except Exception as error:
            return error

    decided, ended = run_together(2, lambda i: (decide, end)[i]())

    assert not isinstance(ended, Exception), f"the record's end failed: {ended!r}"
    assert not isinstance(decided, Exception), f"the decision failed: {decided!r}"
    assert ended == how and decided == "refused: ended"
    assert Child.objects.get(pk=child.pk).status == how
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.LAPSED
