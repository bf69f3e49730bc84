"""A disclosure export asked for a child merged into another record as it was asked: answered in words.

The request form checks each index number against the LA's active records, then the page writes the
export naming them. A merge committing between the two (a colleague folding a duplicate, the child's
row deleted) left the export naming a row that no longer exists: the deferred foreign-key check failed
at the commit, a server error for the requester, and nothing said why. The page now holds each child's
row (FOR KEY SHARE, after the requester's account and organisation) before writing: a merge committed
first is seen, and the form says the record was merged into another and nothing was asked; a merge
arriving later waits for the request, and then names its survivor on the export as for any other.
"""

import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

import team.exports
from accounts.models import Role, User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from disclosure.models import DisclosureExport, LawfulBasis
from linkage.merging import child_merge
from team.forms import ExportRequestForm
from tests.concurrency import paused_for, postgresql_race, run_together
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import World, make_child, make_user

MERGED_AWAY = "has just been merged into another record"


class Asked:
    """Lena asks for an export of two children; Leo (her LA team colleague) merges one away meanwhile."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.leo = make_user("leo", world.north, Role.LA_TEAM)
        self.survivor = make_child(world)
        self.duplicate = make_child(world, given_names="Amelia Jane")
        self.other = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
        self.client: Client = signed_in(world.lena)
        self.client.raise_request_exception = False

    def send(self) -> Any:
        return self.client.post(
            reverse("team:export_new"),
            {
                "lawful_basis": LawfulBasis.COURT_ORDER,
                "reference": "CO-2026-311",
                "index_numbers": f"{self.other.index_number}\n{self.duplicate.index_number}",
                "details": ["name"],
            },
        )

    def merge(self) -> Any:
        return child_merge(
            survivor=Child.objects.get(pk=self.survivor.pk),
            duplicate=Child.objects.get(pk=self.duplicate.pk),
            by=User.objects.get(pk=self.leo.pk),
            reason="Same child",
        )

    def answered_in_words_with_nothing_asked(self, response: Any) -> None:
        assert response.status_code == 200, response.status_code
        page = rendered(response, heading="Request a disclosure export")
        assert MERGED_AWAY in page
        assert self.duplicate.index_number in page
        assert not DisclosureExport.objects.exists()
        assert not AuditEvent.objects.filter(tag=AuditTag.DisclosureExportRequested).exists()
        assert not Child.objects.filter(pk=self.duplicate.pk).exists()  # the merge went through


@pytest.mark.django_db(transaction=True)  # the request's own transaction commits: the deferred check runs
def test_a_child_merged_away_after_the_forms_check_is_answered_in_words_and_nothing_is_asked(
    world, monkeypatch
):
    asked = Asked(world)
    checked = ExportRequestForm.is_valid

    def checked_then_merged(form: ExportRequestForm) -> bool:  # the form has checked; the merge commits now
        valid = checked(form)
        asked.merge()
        return valid

    monkeypatch.setattr(ExportRequestForm, "is_valid", checked_then_merged)
    asked.answered_in_words_with_nothing_asked(asked.send())


@pytest.mark.django_db
def test_a_request_naming_children_still_there_is_asked_as_before(world):
    asked = Asked(world)
    response = asked.send()
    assert response.status_code == 302, response.status_code
    export = DisclosureExport.objects.get()
    assert set(export.children.values_list("pk", flat=True)) == {asked.other.pk, asked.duplicate.pk}


def _race(test: Any) -> Any:
    for mark in postgresql_race("PostgreSQL only: the merge commits on another session"):
        test = mark(test)
    return test


@_race
def test_a_merge_by_a_colleague_after_the_forms_check_is_answered_in_words_and_nothing_is_asked(
    world, monkeypatch
):
    asked = Asked(world)
    response, _ = paused_for(monkeypatch, ExportRequestForm, "is_valid", read=asked.send, write=asked.merge)
    monkeypatch.undo()
    asked.answered_in_words_with_nothing_asked(response)


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


@_race
def test_a_merge_arriving_once_the_children_are_held_waits_and_names_its_survivor_on_the_export(
    world, monkeypatch
):
    asked = Asked(world)
    held, merging_pid = threading.Event(), []
    real = team.exports._children_held

    def held_then_merge_waits(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        held.set()
        ends = time.monotonic() + 10
        while not merging_pid and time.monotonic() < ends:  # the merge's session starts
            time.sleep(0.05)
        assert _waiting_for_a_lock(merging_pid[0]), "the merge did not wait for the request"

    monkeypatch.setattr(team.exports, "_children_held", held_then_merge_waits)

    def work(index: int) -> Any:
        if index == 0:
            return asked.send()
        assert held.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            merging_pid.append(cursor.fetchone()[0])
        return asked.merge()

    response, _merge = run_together(2, work)

    assert response.status_code == 302, response.status_code
    export = DisclosureExport.objects.get()
    assert set(export.children.values_list("pk", flat=True)) == {asked.other.pk, asked.survivor.pk}
    assert not Child.objects.filter(pk=asked.duplicate.pk).exists()
