"""A complaint closed with an outcome keeps it: moving it back to "Acknowledged" (from a page read after
the close, so no stale-page check stops it) erased the outcome, its date and the sealed "what was
decided", with no copy anywhere (the audit event holds the outcome code only), so the answer given to the
child or parent was lost. Synthetic people only."""

from datetime import date

from django.urls import reverse

from audit.tags import AuditTag
from corrections.models import ComplaintStatus
from corrections.services import complaint_version
from corrections.tests.support import complaint_from_the_child, events
from tests.journeys import signed_in
from vault.sealing import Sealer

ACKNOWLEDGED = {
    "status": "acknowledged",
    "acknowledged_day": "3",
    "acknowledged_month": "11",
    "acknowledged_year": "2026",
}
CLOSED_UPHELD = {
    **ACKNOWLEDGED,
    "status": "closed",
    "outcome": "upheld",
    "outcome_day": "20",
    "outcome_month": "11",
    "outcome_year": "2026",
    "outcome_detail": "School corrected and an apology sent",
}


def test_a_closed_complaint_is_not_moved_back_and_keeps_its_outcome_and_what_was_decided(world, child):
    complaint = complaint_from_the_child(world, child)
    lena = signed_in(world.lena)
    path = reverse("corrections:complaint", args=[complaint.pk])
    lena.post(path, {**CLOSED_UPHELD, "version": complaint_version(complaint)})
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED
    response = lena.post(path, {**ACKNOWLEDGED, "version": complaint_version(complaint)}, follow=True)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome, complaint.outcome_on) == (
        "closed",
        "upheld",
        date(2026, 11, 20),
    )
    assert (
        Sealer(child.data_key).unseal(complaint, "outcome_detail") == "School corrected and an apology sent"
    )
    assert [e.additional["status"] for e in events(AuditTag.ComplaintUpdated)] == ["closed"]
    assert "This complaint is closed with an outcome" in response.content.decode()


def test_a_closed_complaints_dates_can_still_be_corrected(world, child):
    complaint = complaint_from_the_child(world, child)
    lena = signed_in(world.lena)
    path = reverse("corrections:complaint", args=[complaint.pk])
    lena.post(path, {**CLOSED_UPHELD, "version": complaint_version(complaint)})
    complaint.refresh_from_db()
    lena.post(path, {**CLOSED_UPHELD, "outcome_day": "21", "version": complaint_version(complaint)})
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome_on) == ("closed", date(2026, 11, 21))
