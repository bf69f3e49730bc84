"""The same offer accepted twice at once (two tabs, a double submit): two real sessions on PostgreSQL.
One acceptance is written; the other waits for the child's row, finds the offer accepted, and says so.
One acceptance and one lead-professional change in the log, never two."""

from django.urls import reverse

import coordination.views
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from coordination.models import LeadProposal
from coordination.services import LEAD_OFFER_ACCEPTED_ALREADY
from coordination.tests.test_lead_professional import _matched
from tests.concurrency import meeting_before, postgresql_race, run_together
from tests.journeys import signed_in
from tests.personas import make_child

pytestmark = postgresql_race()


def test_two_acceptances_of_one_offer_at_once_accept_it_once(world, monkeypatch):
    child = make_child(world)
    carol, _alices, carols, match = _matched(world, child)
    signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))
    proposal = LeadProposal.objects.get()
    # Both requests past the page's checks before either writes.
    monkeypatch.setattr(coordination.views, "lead_accept", meeting_before(coordination.views.lead_accept))
    clients = [signed_in(world.alice), signed_in(world.alice)]

    def work(index: int) -> str:
        response = clients[index].post(reverse("coordination:accept_lead", args=[proposal.pk]))
        assert response.status_code == 302, response.status_code
        return clients[index].get(response["Location"]).content.decode()

    pages = run_together(2, work)

    assert sum(LEAD_OFFER_ACCEPTED_ALREADY in page for page in pages) == 1
    assert AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalAccepted).count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalSet, child_id=child.pk).count() == 1
    assert child_details(Child.objects.get(pk=child.pk)).lead_professional_id == str(carols.pk)
