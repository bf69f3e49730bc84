"""Someone suspended by a colleague while their correction or complaint change is on its way writes nothing.

The corrections pages judged the person once, by the access policy at the start of the request, and the
services wrote without a second look: an LA team member suspended for misuse a moment after their
decision passed the policy still accepted the correction (changing the child's record), rejected it,
closed a complaint with an outcome, raised a correction or recorded a complaint, and the log credited a
suspended account with it. Each service now locks and re-reads the account inside its writing
transaction (`accounts.services.actor_able_locked`), as the account and directory pages do, and the page
answers as the person's next request would: the audited refusal, signed out.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import account_close, account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from corrections import views
from corrections.fields import field_for
from corrections.models import Complaint, ComplaintStatus, Correction, CorrectionStatus
from corrections.services import complaint_version, correction_raise
from corrections.tests.deciding import accept_as_shown
from corrections.tests.support import complaint_from_the_child
from corrections.tests.test_complaints import CLOSED_UPHELD as COMPLAINT_CLOSED_UPHELD
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in, state_purpose
from tests.personas import World, make_user

WRITTEN = [
    AuditTag.CorrectionAccepted,
    AuditTag.CorrectionRejected,
    AuditTag.CorrectionRaised,
    AuditTag.ComplaintUpdated,
    AuditTag.ComplaintRecorded,
]
CLOSED_UPHELD = {
    **COMPLAINT_CLOSED_UPHELD,
    "outcome_detail": "The school on the record was corrected and the family told",
}
NEW_COMPLAINT = {
    "complainant": "parent_carer",
    "about": "use",
    "received_day": "2",
    "received_month": "11",
    "received_year": "2026",
    "summary": "Asks who looked at the record in October",
}
CHANGES = ["accept", "reject", "progress", "raise", "record"]


def _race(test: Callable[..., None]) -> Callable[..., None]:
    for mark in postgresql_race("PostgreSQL only: the suspension commits on another session"):
        test = mark(test)
    return test


class Request:
    """One change by one person: who sends it, where, what; the policy step to pause after; and what the
    database must still hold afterwards (nothing of the change)."""

    def __init__(self, world: World, child: Child, change: str) -> None:
        self.world, self.child, self.change = world, child, change
        self.correction: Correction | None = None
        self.complaint: Complaint | None = None
        if change in ("accept", "reject"):
            family_name = field_for("family_name")
            assert family_name is not None
            self.correction = correction_raise(
                child=child, field=family_name, value="Thorneton", reason="Seen", by=world.alice
            )
        if change == "progress":
            self.complaint = complaint_from_the_child(world, child)
        self.person: User = world.alice if change == "raise" else world.lena
        self.client = signed_in(self.person)
        if change == "raise":
            state_purpose(self.client, child, purpose="checking_details")
        self.client.raise_request_exception = False

    def policy(self) -> str:
        """The view's name for the policy check the request passes before its suspension commits."""
        return {
            "accept": "correction_decide",
            "reject": "correction_decide",
            "progress": "complaint_decide",
            "raise": "correction_raise_decide",
            "record": "require",
        }[self.change]

    def send(self) -> Any:
        url, data = self._post()
        return self.client.post(url, data)

    def _post(self) -> tuple[str, dict[str, str]]:
        if self.correction is not None:
            body = (
                accept_as_shown(self.correction)
                if self.change == "accept"
                else {"decision": "reject", "reason": "No"}
            )
            return reverse("corrections:decide", args=[self.correction.pk]), body
        if self.complaint is not None:
            body = {**CLOSED_UPHELD, "version": complaint_version(self.complaint)}
            return reverse("corrections:complaint", args=[self.complaint.pk]), body
        if self.change == "raise":
            url = reverse("corrections:propose", args=[self.child.pk, "family_name"])
            return url, {"value": "Thorneton", "reason": "Birth certificate seen at school admission"}
        return reverse("corrections:complaint_new", args=[self.child.pk]), NEW_COMPLAINT

    def nothing_written(self) -> None:
        assert list(AuditEvent.objects.filter(tag__in=WRITTEN).values_list("tag", flat=True)) == [
            AuditTag.CorrectionRaised
        ] * (self.correction is not None) + [AuditTag.ComplaintRecorded] * (self.complaint is not None)
        assert child_details(Child.objects.get(pk=self.child.pk)).family_name == "Thornton"
        if self.correction is not None:
            stored = Correction.objects.get(pk=self.correction.pk)
            assert (stored.status, stored.decided_by) == (CorrectionStatus.PENDING, None)
        else:
            assert not Correction.objects.exists()
        if self.complaint is not None:
            stored_complaint = Complaint.objects.get(pk=self.complaint.pk)
            assert (stored_complaint.status, stored_complaint.outcome) == (ComplaintStatus.RECEIVED, "")
        else:
            assert not Complaint.objects.exists()


def _ended(world: World, person: User, how: str) -> Callable[[], Any]:
    national = world.nadia.organisation
    assert national is not None
    admin = make_user("ada", national, Role.SYSTEM_ADMIN)

    def end() -> Any:
        by, subject = User.objects.get(pk=admin.pk), User.objects.get(pk=person.pk)
        if how == "closed":
            return account_close(user=subject, by=by)
        return account_suspend(user=subject, by=by, reason="Misuse under investigation")

    return end


def _refused_and_signed_out(request: Request, response: Any, how: str) -> None:
    assert response.status_code == 403, response.status_code
    said = "Your account is closed." if how == "closed" else "Your account is suspended."
    assert said in response.content.decode()
    refusal = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=request.person).get()
    assert refusal.additional["reason"] == ("inactive" if how == "closed" else "suspended")
    assert "_auth_user_id" not in request.client.session


@pytest.mark.django_db
@pytest.mark.parametrize("change", CHANGES)
def test_suspended_after_the_policy_check_on_the_same_connection_writes_nothing(
    world, child, monkeypatch, change
):
    request = Request(world, child, change)
    end = _ended(world, request.person, "suspended")
    checked = getattr(views, request.policy())

    def checked_then_suspended(*args: Any, **kwargs: Any) -> Any:
        decision = checked(*args, **kwargs)
        monkeypatch.setattr(views, request.policy(), checked)  # once: the recheck under the lock is real
        end()
        return decision

    monkeypatch.setattr(views, request.policy(), checked_then_suspended)
    response = request.send()
    request.nothing_written()
    _refused_and_signed_out(request, response, "suspended")


@_race
@pytest.mark.parametrize(
    "change, how",
    [*((change, "suspended") for change in CHANGES), ("accept", "closed"), ("progress", "closed")],
)
def test_suspended_by_a_colleague_after_the_policy_check_writes_nothing(
    world, child, monkeypatch, change, how
):
    request = Request(world, child, change)
    response, _ = paused_for(
        monkeypatch, views, request.policy(), read=request.send, write=_ended(world, request.person, how)
    )
    monkeypatch.undo()
    request.nothing_written()
    _refused_and_signed_out(request, response, how)


@pytest.mark.django_db
@pytest.mark.parametrize("change", CHANGES)
def test_a_person_still_able_to_act_writes_as_before(world, child, change):
    request = Request(world, child, change)
    response = request.send()
    assert response.status_code == 302, response.status_code
    assert AuditEvent.objects.filter(tag__in=WRITTEN).count() == 1 + (
        request.correction is not None or request.complaint is not None
    )
