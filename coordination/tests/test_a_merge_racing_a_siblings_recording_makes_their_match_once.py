"""A merge that gives the survivor a sibling's mother, while a practitioner records on that sibling
(PostgreSQL: two real sessions). The merge holds the survivor's row and the mother's carer key to its
commit; the recording holds the sibling's row and waits for that key. Run inside the merge, the match
check would then wait for the sibling's row: a circle PostgreSQL breaks by failing one of them. It runs
once the merge commits instead: both finish, and the two practitioners are matched once, whichever
side's check finds the other first.
"""

import threading
import time
from datetime import date

import coordination.recording
from children.models import Child
from children.records import Address, CarerDetails, ChildDetails, Gender
from children.services import child_create
from coordination.models import Match, MatchKind, Notice
from coordination.tests.support import record, school_teacher
from linkage.merging import child_merge
from tests.concurrency import postgresql_race, run_together
from tests.personas import build_world

pytestmark = postgresql_race()

FATHER = CarerDetails(name="Paul Price", relationship="father", phone="07700 900777")
MOTHER = CarerDetails(name="Grace Thornton", relationship="mother", phone="07700 900123")


def _child(world, given_names: str, carer: CarerDetails, born: date) -> Child:
    details = ChildDetails(
        given_names=given_names,
        family_name="Thornton",
        gender=Gender.MALE,
        date_of_birth=born,
        address=Address(lines=["12 Quarry Lane", "Leeds"], postcode="LS1 4AB"),
    )
    return child_create(local_authority=world.north, details=details, carers=[carer])


def _race(monkeypatch, caplog, *, duplicate_recorded: bool = False, sister_recorded: bool = False) -> None:
    world = build_world()
    sister = _child(world, "Amelia", MOTHER, date(2015, 3, 4))
    survivor = _child(world, "Oliver", FATHER, date(2012, 6, 1))
    duplicate = _child(world, "Olly", MOTHER, date(2012, 6, 1))
    alices = record(survivor, world.alice, role="Allocated social worker")
    if duplicate_recorded or sister_recorded:
        carol = school_teacher(world)
        record(duplicate if duplicate_recorded else sister, carol, role="Class teacher")
    holding = threading.Event()
    due = coordination.recording.matches_make_after_commit

    def keys_held_a_while(child_ids):
        due(child_ids)
        holding.set()  # the merge holds the survivor's row and the mother's key, not yet committed
        time.sleep(1)

    monkeypatch.setattr(coordination.recording, "matches_make_after_commit", keys_held_a_while)

    def work(index: int) -> object:
        if index == 0:
            return child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
        assert holding.wait(timeout=30)
        return record(Child.objects.get(pk=sister.pk), world.bob, role="GP")

    with caplog.at_level("WARNING", logger="coordination.recording"):
        _merge, bobs = run_together(2, work)

    assert "match check failed" not in caplog.text
    assert "not sent after the commit" not in caplog.text, "the match check after the commit failed"
    match = Match.objects.get(first__in=[alices, bobs], second__in=[alices, bobs])
    assert match.kind == MatchKind.FAMILY
    assert {n.recipient for n in Notice.objects.filter(match=match)} == {world.alice, world.bob}


def test_a_merge_and_a_siblings_recording_at_once_both_finish_matched_once(monkeypatch, caplog):
    _race(monkeypatch, caplog)


def test_so_too_when_the_duplicate_already_had_the_mothers_key(monkeypatch, caplog):
    _race(monkeypatch, caplog, duplicate_recorded=True)


def test_so_too_when_the_sister_already_had_it_and_a_practitioner(monkeypatch, caplog):
    """The sister's row is one the merge's match check must lock: inside the merge, it waited for the
    recording, which waited for the merge's carer key."""
    _race(monkeypatch, caplog, sister_recorded=True)
