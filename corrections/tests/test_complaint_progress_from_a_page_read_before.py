"""A complaint's progress is saved only over the progress its page showed.

Two colleagues work the same queue. One closes a complaint with its outcome ("Upheld", and what was
decided); the other, on a page opened before, records that it was acknowledged. Saving that page over
the closed complaint put it back to "Acknowledged" and erased the outcome and what was decided (only a
code stayed in the audit log): the child's or parent's complaint read as still open, and the answer they
were given was lost. The same happened to a form sent twice.
"""

import re
from datetime import date

from django.test import Client
from django.urls import reverse

from audit.tags import AuditTag
from corrections.models import Complaint, ComplaintStatus
from corrections.services import ComplaintProgress, complaint_progress
from corrections.tests.support import complaint_from_the_child, events
from tests.journeys import signed_in
from tests.personas import make_user
from vault.sealing import Sealer

HIDDEN_INPUT = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)"')

ACKNOWLEDGED = {
    "status": "acknowledged",
    "acknowledged_day": "3",
    "acknowledged_month": "11",
    "acknowledged_year": "2026",
}
WHAT_WAS_DECIDED = "The school on the record was corrected and the family told"


def _page_form(client: Client, complaint: Complaint, data: dict[str, str]) -> dict[str, str]:
    """`data` with the hidden fields the complaint's page, read now, sends (the csrf token aside)."""
    page = client.get(reverse("corrections:complaint", args=[complaint.pk])).content.decode()
    hidden = {
        m["name"]: m["value"] for m in HIDDEN_INPUT.finditer(page) if m["name"] != "csrfmiddlewaretoken"
    }
    return {**hidden, **data}


def _closed_by_a_colleague(world, complaint: Complaint) -> None:
    colleague = make_user("lionel", world.north, role=world.lena.role)
    complaint_progress(
        complaint=Complaint.objects.select_related("child__data_key").get(pk=complaint.pk),
        by=colleague,
        progress=ComplaintProgress(
            status=ComplaintStatus.CLOSED,
            acknowledged_on=date(2026, 11, 3),
            outcome="upheld",
            outcome_on=date(2026, 11, 20),
            outcome_detail=WHAT_WAS_DECIDED,
        ),
    )


def _still_closed_with_its_outcome(complaint: Complaint) -> None:
    stored = Complaint.objects.select_related("child__data_key").get(pk=complaint.pk)
    assert (stored.status, stored.outcome, stored.outcome_on) == ("closed", "upheld", date(2026, 11, 20))
    assert Sealer(stored.child.data_key).unseal(stored, "outcome_detail") == WHAT_WAS_DECIDED


def test_a_page_read_before_a_colleague_closed_the_complaint_never_reopens_it_nor_erases_its_outcome(
    world, child
):
    complaint = complaint_from_the_child(world, child)
    lena = signed_in(world.lena)
    stale = _page_form(lena, complaint, ACKNOWLEDGED)
    _closed_by_a_colleague(world, complaint)

    answer = lena.post(reverse("corrections:complaint", args=[complaint.pk]), stale, follow=True)

    _still_closed_with_its_outcome(complaint)
    assert [e.additional["status"] for e in events(AuditTag.ComplaintUpdated)] == ["closed"]
    page = answer.content.decode()
    assert "has been updated since you opened it: nothing was changed" in page
    assert "Upheld on 20 November 2026" in page


def test_the_page_read_again_saves_progress_as_before(world, child):
    complaint = complaint_from_the_child(world, child)
    lena = signed_in(world.lena)
    lena.post(
        reverse("corrections:complaint", args=[complaint.pk]), _page_form(lena, complaint, ACKNOWLEDGED)
    )
    stored = Complaint.objects.get(pk=complaint.pk)
    assert (stored.status, stored.acknowledged_on) == (ComplaintStatus.ACKNOWLEDGED, date(2026, 11, 3))
    assert [e.additional["status"] for e in events(AuditTag.ComplaintUpdated)] == ["acknowledged"]
