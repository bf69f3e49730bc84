"""Someone moved to another LA between the page's policy check and the write changes nothing.

The corrections and complaints services re-checked the person's vetting under their account's lock
(`accounts.services.actor_able_locked`) but asked the page's policy question of the account as the request
loaded it: an LA team member whose account was put in another LA a moment after the page's check still
accepted or rejected a correction, closed a complaint with an outcome, recorded a complaint, or named a
shielded child's address. Each service now reads the account again as stored, under that lock, and the
page's own policy question is asked of it there (as the disclosure exports, alerts and account pages do):
refused in words, audited, nothing written.
"""

from typing import Any

import pytest
from django.urls import reverse

import corrections.views
from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from corrections.fields import field_for
from corrections.models import Complaint, ComplaintStatus, Correction, CorrectionStatus
from corrections.services import complaint_version, correction_raise
from corrections.tests.deciding import accept_as_shown
from corrections.tests.support import complaint_from_the_child
from tests.journeys import signed_in, state_purpose
from tests.personas import World

CLOSED = {
    "status": "closed",
    "acknowledged_day": "3",
    "acknowledged_month": "11",
    "acknowledged_year": "2026",
    "outcome": "upheld",
    "outcome_day": "4",
    "outcome_month": "11",
    "outcome_year": "2026",
    "outcome_detail": "Corrected",
}
NEW_COMPLAINT = {
    "complainant": "parent_carer",
    "about": "use",
    "received_day": "2",
    "received_month": "11",
    "received_year": "2026",
    "summary": "Asks who looked at the record",
}
SERVICES = {
    "accept": "correction_accept",
    "reject": "correction_reject",
    "progress": "complaint_progress",
    "record": "complaint_record",
    "raise": "correction_raise",
}


def _moved_on_the_way(world: World, monkeypatch: pytest.MonkeyPatch, service: str) -> None:
    """Lena (North's LA team) is put in South's after the page's check, before the service writes (as an
    operator's change of her account would leave her)."""
    real = getattr(corrections.views, service)

    def moved_first(*args: Any, **kwargs: Any) -> Any:
        User.objects.filter(pk=world.lena.pk).update(organisation=world.south)
        return real(*args, **kwargs)

    monkeypatch.setattr(corrections.views, service, moved_first)


def _refused_as(world: World, response: Any, reason: str) -> None:
    """The audited refusal page (what it says of another LA's record is the refusal page's own rule)."""
    assert response.status_code == 403, response.status_code
    assert "You cannot do this</h1>" in response.content.decode()
    refusal = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.lena).latest("pk")
    assert refusal.additional["reason"] == reason


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["accept", "reject", "progress", "record"])
def test_an_la_team_member_moved_to_another_la_after_the_page_check_writes_nothing(
    world, child, monkeypatch, change
):
    correction = complaint = None
    if change in ("accept", "reject"):
        correction = correction_raise(
            child=child, field=field_for("family_name"), value="Thorneton", reason="Seen", by=world.alice
        )
        body = accept_as_shown(correction) if change == "accept" else {"decision": "reject", "reason": "No"}
        url = reverse("corrections:decide", args=[correction.pk])
    elif change == "progress":
        complaint = complaint_from_the_child(world, child)
        body = {**CLOSED, "version": complaint_version(complaint)}
        url = reverse("corrections:complaint", args=[complaint.pk])
    else:
        body, url = NEW_COMPLAINT, reverse("corrections:complaint_new", args=[child.pk])
    _moved_on_the_way(world, monkeypatch, SERVICES[change])

    response = signed_in(world.lena).post(url, body)

    _refused_as(world, response, "other_la")
    assert child_details(Child.objects.get(pk=child.pk)).family_name == "Thornton"
    if correction is not None:
        assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.PENDING
    if complaint is not None:
        assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.RECEIVED
    if change == "record":
        assert not Complaint.objects.exists()
    assert not AuditEvent.objects.filter(
        tag__in=[AuditTag.CorrectionAccepted, AuditTag.CorrectionRejected, AuditTag.ComplaintUpdated]
    ).exists()


@pytest.mark.django_db
def test_an_la_team_member_moved_to_another_la_on_the_way_cannot_name_a_shielded_childs_address(
    world, shielded_child, monkeypatch
):
    client = signed_in(world.lena)
    state_purpose(client, shielded_child, purpose="checking_details")
    _moved_on_the_way(world, monkeypatch, SERVICES["raise"])

    response = client.post(
        reverse("corrections:propose", args=[shielded_child.pk, "address"]),
        {"line_1": "1 New Street", "town": "Leeds", "postcode": "LS1 1AA", "reason": "Told by the family"},
    )

    assert response.status_code == 403, response.status_code
    assert "You cannot do this</h1>" in response.content.decode()
    assert not Correction.objects.filter(child=shielded_child).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.CorrectionRaised).exists()
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.lena).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["accept", "progress"])
def test_an_la_team_member_still_in_the_childs_la_writes_as_before(world, child, change):
    if change == "accept":
        correction = correction_raise(
            child=child, field=field_for("family_name"), value="Thorneton", reason="Seen", by=world.alice
        )
        response = signed_in(world.lena).post(
            reverse("corrections:decide", args=[correction.pk]), accept_as_shown(correction)
        )
        assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.ACCEPTED
    else:
        complaint = complaint_from_the_child(world, child)
        response = signed_in(world.lena).post(
            reverse("corrections:complaint", args=[complaint.pk]),
            {**CLOSED, "version": complaint_version(complaint)},
        )
        assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.CLOSED
    assert response.status_code == 302, response.status_code
