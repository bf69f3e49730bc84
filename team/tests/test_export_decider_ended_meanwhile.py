"""An LA team member suspended or closed (or whose LA lost its accreditation) while their export request or
decision is on its way writes nothing.

The export pages judged the person once, by the access policy at the start of the request, and the
services wrote without a second look: Leo, suspended for misuse a moment after his approval passed the
policy, still approved the request (or refused it), and the log credited a suspended account with the
decision. His approval was then only withdrawn while he stayed suspended: reinstated, it stood again,
an approval given by nobody able to give it. A request sent as its requester was suspended was recorded
likewise. The pages now lock and re-read the person in the writing transaction (after the export's row,
the order the download takes) and answer as their next request would: the audited refusal, signed out.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

import team.exports
from accounts.models import Organisation, Role, User
from accounts.services import account_close, account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from disclosure.models import DisclosureExport, ExportStatus, LawfulBasis
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from tests.personas import World, make_child, make_user

WRITTEN = [
    AuditTag.DisclosureExportRequested,
    AuditTag.DisclosureExportApproved,
    AuditTag.DisclosureExportRefused,
]


def _race(test: Callable[..., None]) -> Callable[..., None]:
    for mark in postgresql_race("PostgreSQL only: the suspension commits on another session"):
        test = mark(test)
    return test


def _request_form(child: Any) -> dict[str, Any]:
    return {
        "lawful_basis": LawfulBasis.COURT_ORDER,
        "reference": "CO-2026-404",
        "index_numbers": child.index_number,
        "details": ["name"],
    }


class Change:
    """Lena asks for an export ("request"), or Leo decides Lena's request ("approve", "refuse")."""

    def __init__(self, world: World, what: str) -> None:
        self.world, self.what = world, what
        self.leo = make_user("leo", world.north, Role.LA_TEAM)
        self.child = make_child(world)
        self.export: DisclosureExport | None = None
        if what != "request":
            asked = signed_in(world.lena).post(reverse("team:export_new"), _request_form(self.child))
            assert asked.status_code == 302, asked.content.decode()[:2000]
            self.export = DisclosureExport.objects.get()
        self.person: User = world.lena if what == "request" else self.leo
        self.client = signed_in(self.person)
        self.client.raise_request_exception = False

    def send(self) -> Any:
        if self.export is None:
            return self.client.post(reverse("team:export_new"), _request_form(self.child))
        body = {"decision": self.what, "reason": "Court order checked"}
        return self.client.post(reverse("team:export_decision", args=[self.export.pk]), body)

    def nothing_written(self) -> None:
        written = list(AuditEvent.objects.filter(tag__in=WRITTEN).values_list("tag", flat=True))
        if self.export is None:
            assert written == [], written
            assert not DisclosureExport.objects.exists()
            return
        assert written == [AuditTag.DisclosureExportRequested], written
        stored = DisclosureExport.objects.get(pk=self.export.pk)
        assert (stored.status, stored.decided_by_id) == (ExportStatus.PENDING, None)


def _ended(world: World, person: User, how: str) -> Callable[[], Any]:
    national = world.nadia.organisation
    assert national is not None
    admin = make_user("ada", national, Role.SYSTEM_ADMIN)

    def end() -> Any:
        by, subject = User.objects.get(pk=admin.pk), User.objects.get(pk=person.pk)
        if how == "closed":
            return account_close(user=subject, by=by)
        if how == "deaccredited":  # the LA's accreditation taken away (an LA holding children is not closed)
            return Organisation.objects.filter(pk=world.north.pk).update(accredited_on=None)
        return account_suspend(user=subject, by=by, reason="Misuse under investigation")

    return end


SAID = {
    "closed": ("Your account is closed.", "inactive"),
    "suspended": ("Your account is suspended.", "suspended"),
    "deaccredited": ("Your organisation is not accredited", "organisation_not_accredited"),
}


def _refused_and_signed_out(change: Change, response: Any, how: str) -> None:
    assert response.status_code == 403, response.status_code
    said, reason = SAID[how]
    assert said in response.content.decode()
    refusal = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=change.person).get()
    assert refusal.additional["reason"] == reason
    assert "_auth_user_id" not in change.client.session


CHANGES = ["request", "approve", "refuse"]


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["suspended", "deaccredited"])
@pytest.mark.parametrize("what", CHANGES)
def test_suspended_after_the_policy_and_step_up_on_the_same_connection_writes_nothing(
    world, monkeypatch, what, how
):
    change = Change(world, what)
    end = _ended(world, change.person, how)
    checked = team.exports.step_up

    def checked_then_suspended(request: Any) -> Any:
        answer = checked(request)
        monkeypatch.setattr(team.exports, "step_up", checked)  # once
        end()
        return answer

    monkeypatch.setattr(team.exports, "step_up", checked_then_suspended)
    response = change.send()
    change.nothing_written()
    _refused_and_signed_out(change, response, how)


@pytest.mark.django_db
def test_an_approval_written_by_nobody_able_does_not_stand_again_once_they_are_reinstated(world, monkeypatch):
    """The harm of the gap: without the re-check, Leo's approval sent as he was suspended was stored, and
    stood again (downloadable) the moment his suspension was lifted."""
    change = Change(world, "approve")
    end = _ended(world, change.person, "suspended")
    checked = team.exports.step_up

    def checked_then_suspended(request: Any) -> Any:
        answer = checked(request)
        monkeypatch.setattr(team.exports, "step_up", checked)
        end()
        return answer

    monkeypatch.setattr(team.exports, "step_up", checked_then_suspended)
    change.send()
    leo = User.objects.get(pk=change.leo.pk)
    leo.suspended_at = None
    leo.save(update_fields=["suspended_at"])
    assert change.export is not None
    page = signed_in(change.world.lena).get(reverse("team:export", args=[change.export.pk])).content.decode()
    assert 'name="token"' not in page
    assert DisclosureExport.objects.get(pk=change.export.pk).status == ExportStatus.PENDING


@_race
@pytest.mark.parametrize(
    "what, how",
    [
        ("request", "suspended"),
        ("approve", "suspended"),
        ("refuse", "suspended"),
        ("approve", "closed"),
        ("approve", "deaccredited"),
    ],
)
def test_suspended_by_a_colleague_after_the_policy_check_writes_nothing(world, monkeypatch, what, how):
    change = Change(world, what)
    response, _ = paused_for(
        monkeypatch, team.exports, "step_up", read=change.send, write=_ended(world, change.person, how)
    )
    monkeypatch.undo()
    change.nothing_written()
    _refused_and_signed_out(change, response, how)


@pytest.mark.django_db
@pytest.mark.parametrize("what", CHANGES)
def test_a_person_still_able_to_act_writes_as_before(world, what):
    change = Change(world, what)
    response = change.send()
    assert response.status_code == 302, response.status_code
    assert AuditEvent.objects.filter(tag__in=WRITTEN).count() == (1 if what == "request" else 2)
