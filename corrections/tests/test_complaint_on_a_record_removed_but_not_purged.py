"""Recording a complaint on a record whose keys a failed merge or purge shredded (its rows still there).

The complaint form offered itself for such a record, and sending it sealed the summary under the
shredded key: a server error, the LA team's note of what the child or parent said lost. Now the page
says the record has been removed, before the form and on a form sent from a page opened before, and
nothing is recorded.
"""

from django.urls import reverse

from audit.tags import AuditTag
from corrections.models import Complaint
from corrections.tests.support import events
from tests.journeys import signed_in
from tests.shredding import shred_rolled_back

REMOVED = "This record has been removed"
COMPLAINT = {
    "complainant": "child",
    "about": "record",
    "received_day": "2",
    "received_month": "11",
    "received_year": "2026",
    "summary": "Says the school on the record is wrong",
}


def test_a_complaint_on_a_record_shredded_but_not_deleted_is_not_recorded_and_the_page_says_removed(
    world, child
):
    shred_rolled_back(child)
    client = signed_in(world.lena)
    client.raise_request_exception = False
    url = reverse("corrections:complaint_new", args=[child.pk])

    for response in (client.get(url), client.post(url, COMPLAINT)):
        assert response.status_code == 410, response.status_code
        assert REMOVED in response.content.decode()

    assert not Complaint.objects.exists()
    assert events(AuditTag.ComplaintRecorded) == []
    shown = events(AuditTag.RecordRemovedShown, page="corrections:complaint_new")
    assert [(event.actor_id, event.child_id) for event in shown] == [(world.lena.pk, child.pk)] * 2
