"""Raising a correction or recording a complaint while a merge or a purge shreds the record's key
(PostgreSQL: two real sessions, in the one order that could deadlock).

Both writes seal first, which holds the record's data key (FOR KEY SHARE, `vault.keys.data_key_for_write`),
and only then wait for the record's row lock; a merge or a purge holds the row and then shreds the key.
If the shred's lock conflicted with the writer's, each would hold what the other waits for (PostgreSQL
aborting one, 40P01: a 500). Here the writer has sealed and is waiting for the row (seen in
`pg_stat_activity`) at the moment the merge or purge starts its shred. The shred locks the key FOR NO
KEY UPDATE (`vault.keys._data_key_locked_current`), which FOR KEY SHARE does not block: the merge or
purge commits, and the writer, finding the record gone, is refused in words, nothing kept.

(A correction is raised only on an active record and a purge takes only an archived or closed one: the
raise's row lock asks for an active row, so it never waits for the purge's. `complaint_record` locks the
row whatever its status, so its write is raced with the purge, at the service.)
"""

import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from children import shredding
from children.models import Child, RecordStatus
from corrections import services
from corrections.models import Complaint, Correction
from corrections.services import RecordNotActive, complaint_record
from lifecycle.services import child_purge
from linkage import merging
from linkage.merging import child_merge
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in, state_purpose
from tests.personas import World, make_child

pytestmark = postgresql_race("PostgreSQL only: the shred runs on another session")

FIX = {"value": "Thorneton", "reason": "Birth certificate seen at school admission"}
COMPLAINT = {
    "complainant": "child",
    "about": "record",
    "received_day": "2",
    "received_month": "11",
    "received_year": "2026",
    "summary": "Says the school on the record is wrong",
}


def _someone_waits_for_a_lock() -> None:
    """Until another session of this database waits on a row lock (the writer, for the record's row)."""
    for _ in range(100):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the writer never waited for the record's row")


def _sealed_then_shredded(
    monkeypatch: pytest.MonkeyPatch, shredder: Any, *, write: Callable[[], Any], shred: Callable[[], Any]
) -> tuple[Any, Any]:
    """`write` seals (holding the key) and stops before taking the row; `shred` then locks the row and,
    once `write` is waiting for that row, shreds the key. Returns what each returned."""
    sealed, shredding_now = threading.Event(), threading.Event()
    rows_locked = services.child_rows_locked
    key_shred = shredder.data_key_shred

    writer: list[threading.Thread] = []

    def rows_after_the_shredder_has_them() -> Any:
        if threading.current_thread() not in writer:  # the merge's or purge's own calls, if any
            return rows_locked()
        sealed.set()
        assert shredding_now.wait(timeout=30)
        return rows_locked()

    def shred_once_the_writer_waits(key: Any) -> int:
        shredding_now.set()
        _someone_waits_for_a_lock()
        return key_shred(key)

    monkeypatch.setattr(services, "child_rows_locked", rows_after_the_shredder_has_them)
    monkeypatch.setattr(shredder, "data_key_shred", shred_once_the_writer_waits)

    def work(index: int) -> Any:
        if index == 0:
            writer.append(threading.current_thread())
            return write()
        assert sealed.wait(timeout=30)
        return shred()

    first, second = run_together(2, work)
    monkeypatch.undo()
    assert shredding_now.is_set()  # the order that could deadlock was the one run
    return first, second


def _merge_into_another(world: World, child: Child) -> Callable[[], Any]:
    """By the data manager: the same person writing in two tabs queues on their own account's lock
    (`actor_able_locked`), taken before anything else, so never holds the key while the merge runs."""
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS1 4AB")
    return lambda: child_merge(
        survivor=Child.objects.get(pk=survivor.pk), duplicate=Child.objects.get(pk=child.pk), by=world.dara
    )


def test_a_correction_sent_as_a_merge_shreds_the_records_key_is_refused_in_words(world, child, monkeypatch):
    client = signed_in(world.alice)
    client.raise_request_exception = False
    state_purpose(client, child, purpose="checking_details")
    url = reverse("corrections:propose", args=[child.pk, "family_name"])
    response, _ = _sealed_then_shredded(
        monkeypatch, merging, write=lambda: client.post(url, FIX), shred=_merge_into_another(world, child)
    )
    assert not Child.objects.filter(pk=child.pk).exists()  # the merge committed
    assert response.status_code == 302 and response["Location"] == reverse("corrections:mine")
    assert not Correction.objects.exists()
    assert "no longer open: the correction was not sent" in client.get(response["Location"]).content.decode()


def test_a_correction_sent_on_the_survivor_as_the_merge_runs_is_raised_after_it(world, child, monkeypatch):
    """The survivor's key, held by the raise, is the one the merge seals the moved rows under (FOR KEY
    SHARE both): the merge commits, and the correction is raised on the merged record."""
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS1 4AB")
    client = signed_in(world.alice)
    client.raise_request_exception = False
    state_purpose(client, survivor, purpose="checking_details")
    url = reverse("corrections:propose", args=[survivor.pk, "family_name"])
    merge = lambda: child_merge(  # noqa: E731
        survivor=Child.objects.get(pk=survivor.pk), duplicate=Child.objects.get(pk=child.pk), by=world.dara
    )
    response, _ = _sealed_then_shredded(
        monkeypatch, merging, write=lambda: client.post(url, FIX), shred=merge
    )
    assert not Child.objects.filter(pk=child.pk).exists()
    assert response.status_code == 302 and response["Location"] == reverse("corrections:mine")
    [raised] = Correction.objects.all()
    assert raised.child_id == survivor.pk
    assert "Your correction has been sent" in client.get(response["Location"]).content.decode()


def test_a_complaint_sent_as_a_merge_shreds_the_records_key_is_refused_in_words(world, child, monkeypatch):
    client = signed_in(world.lena)
    client.raise_request_exception = False
    url = reverse("corrections:complaint_new", args=[child.pk])
    response, _ = _sealed_then_shredded(
        monkeypatch,
        merging,
        write=lambda: client.post(url, COMPLAINT),
        shred=_merge_into_another(world, child),
    )
    assert not Child.objects.filter(pk=child.pk).exists()
    assert response.status_code == 302 and response["Location"] == reverse("corrections:complaints")
    assert not Complaint.objects.exists()
    assert "merged into another since you opened it" in client.get(response["Location"]).content.decode()


def _refused(write: Callable[[], Any]) -> Callable[[], str]:
    def run() -> str:
        try:
            write()
        except RecordNotActive:
            return "refused"
        return "written"

    return run


def test_a_complaint_recorded_as_the_purge_shreds_the_records_key_is_refused(world, child, monkeypatch):
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    stored = Child.objects.select_related("data_key").get(pk=child.pk)
    record = _refused(
        lambda: complaint_record(
            child=stored,
            by=world.lena,
            complainant="child",
            about="record",
            received_on=date(2026, 11, 2),
            summary="Says the school on the record is wrong",
        )
    )
    outcome, purged = _sealed_then_shredded(
        monkeypatch, shredding, write=record, shred=lambda: child_purge(child_id=child.pk)
    )
    assert (outcome, purged) == ("refused", True)
    assert not Child.objects.filter(pk=child.pk).exists() and not Complaint.objects.exists()
