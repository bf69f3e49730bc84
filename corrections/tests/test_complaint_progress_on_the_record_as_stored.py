"""A complaint's progress is saved on its record as stored when it is written, or not at all.

`complaint_progress` re-read the complaint under its lock but never the record it hangs on, and sealed
what was decided under the key the page had loaded. So:

- a merge still in flight had read the complaint before the save committed, and wrote it onto the
  surviving record as it had read it: the outcome, its date and what was decided were erased, while the
  audit log said the complaint was closed (`..._while_a_merge_is_moving_the_complaint_...`);
- a purge (the record's retention ran out) that committed after the page's checks deleted the complaint:
  the save was a server error (DoesNotExist);
- a record closed for a new identity (never opened again) or moved to another LA took an outcome
  decided by a team that may no longer act on it;
- a merge that committed after the page's checks was refused only because it had re-sealed the
  complaint, with a message that misled ("updated since you opened it"; it had only moved).

The record's row is now locked first (as a merge, a close and a purge lock it before its complaints),
re-read, and the outcome sealed under its key as stored; anything else is refused in words.
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

import linkage.merging
from accounts.models import Role
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from corrections import views
from corrections.models import Complaint, ComplaintStatus
from corrections.services import complaint_version
from corrections.tests.support import complaint_from_the_child, events
from corrections.tests.test_complaints import CLOSED_UPHELD as COMPLAINT_CLOSED_UPHELD
from lifecycle.services import child_purge
from linkage.merging import child_merge
from tests.concurrency import paused_for, postgresql_race, run_together
from tests.journeys import signed_in
from tests.personas import World, make_child, make_user

CLOSED_UPHELD = {
    **COMPLAINT_CLOSED_UPHELD,
    "outcome_detail": "The school on the record was corrected and the family told",
}


def _race(test: Callable[..., None]) -> Callable[..., None]:
    for mark in postgresql_race("PostgreSQL only: the record changes on another session"):
        test = mark(test)
    return test


def _closing(complaint: Complaint) -> dict[str, str]:
    return {**CLOSED_UPHELD, "version": complaint_version(complaint)}


def _merge(world: World, child: Child) -> Callable[[], Any]:
    """A colleague's merge (not lena's own: her account's lock would make her requests take turns)."""
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS1 4AB")
    colleague = make_user("lionel", world.north, Role.LA_TEAM)
    return lambda: child_merge(
        survivor=Child.objects.get(pk=survivor.pk), duplicate=Child.objects.get(pk=child.pk), by=colleague
    )


def _purge(child: Child) -> Callable[[], Any]:
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)  # the team may still answer it
    return lambda: child_purge(child_id=child.pk)


SAID = {
    "merged": ("has moved to another record since you opened it", "complaint"),
    "purged": ("record has been removed since you opened it", "complaints"),
    "closed": ("record has been closed since you opened it", "complaints"),
    "moved": ("record has moved to another local authority since you opened it", "complaints"),
}


def _change(world: World, child: Child, what: str) -> Callable[[], Any]:
    if what == "merged":
        return _merge(world, child)
    if what == "purged":
        return _purge(child)
    if what == "closed":
        return lambda: Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    return lambda: Child.objects.filter(pk=child.pk).update(local_authority=world.south)


def _nothing_written(complaint: Complaint) -> None:
    """The complaint, wherever it is now (or gone), still as it was received; no update audited."""
    stored = Complaint.objects.filter(pk=complaint.pk).first()
    if stored is not None:
        assert (stored.status, stored.outcome, stored.outcome_on) == (ComplaintStatus.RECEIVED, "", None)
    assert events(AuditTag.ComplaintUpdated) == []


def _told(client: Client, response: Any, complaint: Complaint, what: str) -> None:
    words, where = SAID[what]
    assert response.status_code == 302, response.status_code
    expected = (
        reverse("corrections:complaint", args=[complaint.pk])
        if where == "complaint"
        else reverse("corrections:complaints")
    )
    assert response["Location"] == expected
    page = client.get(expected).content.decode()
    assert words in page and "nothing was changed" in page


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["closed", "moved", "purged", "merged"])
def test_progress_sent_as_the_record_changes_writes_nothing_and_says_so(world, child, monkeypatch, what):
    """The change made on the request's own connection after the page's checks, just before the save."""
    complaint = complaint_from_the_child(world, child)
    change = _change(world, child, what)
    progress = views.complaint_progress

    def changed_then_saved(**kwargs: Any) -> Any:
        change()
        return progress(**kwargs)

    monkeypatch.setattr(views, "complaint_progress", changed_then_saved)
    client = signed_in(world.lena)
    client.raise_request_exception = False
    response = client.post(reverse("corrections:complaint", args=[complaint.pk]), _closing(complaint))
    monkeypatch.undo()
    _nothing_written(complaint)
    _told(client, response, complaint, what)


@_race
@pytest.mark.parametrize("what", ["closed", "moved", "purged", "merged"])
def test_progress_sent_as_the_record_changes_on_another_session_writes_nothing_and_says_so(
    world, child, monkeypatch, what
):
    """The change committed by a colleague's request between the page's checks and the save."""
    complaint = complaint_from_the_child(world, child)
    change = _change(world, child, what)
    client = signed_in(world.lena)
    client.raise_request_exception = False
    url = reverse("corrections:complaint", args=[complaint.pk])
    response, _ = paused_for(
        monkeypatch,
        views,
        "complaint_progress",
        before=True,
        read=lambda: client.post(url, _closing(complaint)),
        write=change,
    )
    monkeypatch.undo()
    _nothing_written(complaint)
    _told(client, response, complaint, what)


def _lock_waited_on() -> bool:
    """Is a session of this test database waiting for a row lock (the save, behind the merge's lock)?"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


@_race
def test_progress_saved_while_a_merge_is_moving_the_complaint_is_not_erased_by_it(world, child, monkeypatch):
    """The merge has read the complaint and is about to write it onto the survivor when the save comes.

    Before: the save committed at once, and the merge then wrote the complaint as it had read it: back to
    "Received", the outcome gone, an audit event saying it was closed. Now the save waits for the record's
    lock, and finds the complaint moved with the merge: nothing is written and the page says so.
    """
    complaint = complaint_from_the_child(world, child)
    merge = _merge(world, child)
    complaints_read, saved = threading.Event(), threading.Event()
    move = linkage.merging._move

    def moving(rows: list[Any], columns: tuple[str, ...], **kwargs: Any) -> list[str]:
        if columns == Complaint.SEALED:  # the duplicate's complaints are read: the save starts now
            complaints_read.set()
            for _ in range(600):
                if saved.wait(timeout=0.05) or _lock_waited_on():
                    break
        return move(rows, columns, **kwargs)

    monkeypatch.setattr(linkage.merging, "_move", moving)
    client = signed_in(world.lena)
    client.raise_request_exception = False
    url = reverse("corrections:complaint", args=[complaint.pk])
    form = _closing(complaint)

    def work(index: int) -> Any:
        if index == 0:
            return merge()
        assert complaints_read.wait(timeout=30)
        try:
            return client.post(url, form)
        finally:
            saved.set()

    _, response = run_together(2, work)

    moved = Complaint.objects.get(pk=complaint.pk)
    events_said = [e.additional["status"] for e in events(AuditTag.ComplaintUpdated)]
    assert (moved.status, events_said) in [
        (ComplaintStatus.RECEIVED, []),  # refused, nothing written: the merge moved it as it was
        (ComplaintStatus.CLOSED, ["closed"]),  # or saved, and kept by the merge
    ], "the merge wrote over the saved outcome, which the audit log says was recorded"
    assert moved.child_id != child.pk
    _told(client, response, complaint, "merged")
