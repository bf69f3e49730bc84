"""A decider or requester moved out of the LA, or out of the LA team, after the page's check writes nothing.

The decision and request pages asked the policy about the person at the start of the request, then the
writing transaction re-read only whether they were still vetted (suspended, closed, lapsed,
de-accredited) under the account's lock. Leo, moved to Southborough's team (or made a practitioner, or
his organisation put in another LA) a moment after the decision page passed him, still approved (or
refused) a request of Northshire's; Lena, moved likewise, still asked for a file of Northshire's children.
Now the page's own policy question is asked again on the account as stored, under the writing
transaction's locks (the request also checks the LA it wrote for is still the requester's): refused in
words, audited as a refusal, nothing written.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

import team.exports
from access.permissions import Permission
from accounts.models import Role, User
from audit.models import AuditEvent
from audit.tags import AuditTag
from disclosure.models import DisclosureExport, ExportStatus, LawfulBasis
from disclosure.services import export_request
from team.tests.moving import HOWS, moved
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from tests.personas import World, make_child, make_user

WRITTEN = [
    AuditTag.DisclosureExportRequested,
    AuditTag.DisclosureExportApproved,
    AuditTag.DisclosureExportRefused,
]


def _person(world: World, how: str, username: str) -> User:
    """An LA team member of Northshire: in one of its own services when that service is to be moved."""
    if how == "organisation moved to another LA":
        return make_user(username, world.north_social_care, Role.LA_TEAM)
    return make_user(username, world.north, Role.LA_TEAM)


def _moved_after_the_check(monkeypatch: Any, world: World, person: User, how: str) -> None:
    """The move lands after the page's policy check (step-up comes after it), before the write."""
    checked = team.exports.step_up

    def checked_then_moved(request: Any) -> Any:
        answer = checked(request)
        monkeypatch.setattr(team.exports, "step_up", checked)  # once
        moved(world, person, how)
        return answer

    monkeypatch.setattr(team.exports, "step_up", checked_then_moved)


def _refused_in_words(response: Any, person: User, how: str, action: Permission) -> None:
    assert response.status_code == 403, response.status_code
    body = response.content.decode()
    if how == "role changed":
        said, reason = "Your role does not allow this.", "role_not_permitted"
    else:
        said, reason = "This belongs to another local authority.", "other_la"
    assert said in body
    (refusal,) = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor_id=person.pk)
    assert refusal.additional["action"] == str(action)
    assert refusal.additional["reason"] == reason


def _pending(world: World) -> DisclosureExport:
    return export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis=LawfulBasis.COURT_ORDER,
        reference="CO-2026-412",
        children=[make_child(world)],
        fields=["name", "address"],
    )


@pytest.mark.django_db
@pytest.mark.parametrize("decision", ["approve", "refuse"])
@pytest.mark.parametrize("how", HOWS)
def test_a_decider_moved_after_the_pages_check_decides_nothing(world, monkeypatch, how, decision):
    export = _pending(world)
    leo = _person(world, how, "leo")
    client = signed_in(leo)
    _moved_after_the_check(monkeypatch, world, leo, how)

    response = client.post(
        reverse("team:export_decision", args=[export.pk]), {"decision": decision, "reason": "Order seen"}
    )

    _refused_in_words(response, leo, how, Permission.DisclosureExportDecide)
    stored = DisclosureExport.objects.get(pk=export.pk)
    assert (stored.status, stored.decided_by_id, stored.expires_at) == (ExportStatus.PENDING, None, None)
    written = list(AuditEvent.objects.filter(tag__in=WRITTEN).values_list("tag", flat=True))
    assert written == [AuditTag.DisclosureExportRequested], written


@pytest.mark.django_db
@pytest.mark.parametrize("how", HOWS)
def test_a_requester_moved_after_the_pages_check_asks_for_nothing(world, monkeypatch, how):
    child = make_child(world)
    rita = _person(world, how, "rita")
    client = signed_in(rita)
    _moved_after_the_check(monkeypatch, world, rita, how)

    form = {
        "lawful_basis": LawfulBasis.COURT_ORDER,
        "reference": "CO-2026-413",
        "index_numbers": child.index_number,
        "details": ["name"],
    }
    response = client.post(reverse("team:export_new"), form)

    _refused_in_words(response, rita, how, Permission.DisclosureExportRequest)
    assert not DisclosureExport.objects.exists()
    assert not AuditEvent.objects.filter(tag__in=WRITTEN).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("how", HOWS)
def test_a_person_unchanged_still_decides_and_asks(world, how):
    """Control: the same people, not moved, decide and ask as before."""
    export = _pending(world)
    leo = _person(world, how, "leo")
    decided = signed_in(leo).post(
        reverse("team:export_decision", args=[export.pk]), {"decision": "approve", "reason": "Order seen"}
    )
    assert decided.status_code == 302, decided.status_code
    assert DisclosureExport.objects.get(pk=export.pk).status == ExportStatus.APPROVED
    form = {
        "lawful_basis": LawfulBasis.COURT_ORDER,
        "reference": "CO-2026-414",
        "index_numbers": make_child(world).index_number,
        "details": ["name"],
    }
    asked = signed_in(leo).post(reverse("team:export_new"), form)
    assert asked.status_code == 302, asked.content.decode()[:2000]
    assert DisclosureExport.objects.filter(requested_by=leo).count() == 1
    assert not AuditEvent.objects.filter(tag=AuditTag.AccessDenied).exists()


def _race(test: Callable[..., None]) -> Callable[..., None]:
    for mark in postgresql_race("PostgreSQL only: the move commits on another session"):
        test = mark(test)
    return test


@_race
@pytest.mark.parametrize("what", ["approve", "request"])
@pytest.mark.parametrize("how", HOWS)
def test_moved_by_an_administrator_on_another_session_after_the_pages_check_writes_nothing(
    world, monkeypatch, how, what
):
    person = _person(world, how, "leo")
    client = signed_in(person)
    if what == "approve":
        export = _pending(world)
        url, body = (
            reverse("team:export_decision", args=[export.pk]),
            {"decision": "approve", "reason": "Seen"},
        )
        action = Permission.DisclosureExportDecide
    else:
        form_child = make_child(world)
        url = reverse("team:export_new")
        body = {
            "lawful_basis": LawfulBasis.COURT_ORDER,
            "reference": "CO-2026-415",
            "index_numbers": form_child.index_number,
            "details": ["name"],
        }
        action = Permission.DisclosureExportRequest
    before = list(DisclosureExport.objects.values_list("pk", "status"))

    response, _ = paused_for(
        monkeypatch,
        team.exports,
        "step_up",
        read=lambda: client.post(url, body),
        write=lambda: moved(world, person, how),
    )
    monkeypatch.undo()

    _refused_in_words(response, person, how, action)
    assert list(DisclosureExport.objects.values_list("pk", "status")) == before
    expected = [AuditTag.DisclosureExportRequested] if what == "approve" else []
    assert list(AuditEvent.objects.filter(tag__in=WRITTEN).values_list("tag", flat=True)) == expected
