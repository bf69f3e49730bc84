"""Accepting a lead-professional offer is judged again on the record as stored: the LA team may shield it
between the page's policy check and the write (as the record pages are, session 21)."""

from django.urls import reverse

import coordination.views
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from coordination.models import LeadProposal
from coordination.tests.test_lead_professional import _matched
from lifecycle.shielding import shield_set
from tests.journeys import signed_in


def test_accepting_an_offer_as_the_la_team_shields_the_record_is_refused_and_not_kept(
    world, child, monkeypatch
):
    carol, _alices, _carols, match = _matched(world, child)
    signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))
    accept = coordination.views.lead_accept

    def shielded_first(**kwargs):  # the LA team's shield commits between the page's check and the write
        shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm")
        return accept(**kwargs)

    monkeypatch.setattr(coordination.views, "lead_accept", shielded_first)
    response = signed_in(world.alice).post(
        reverse("coordination:accept_lead", args=[LeadProposal.objects.get().pk])
    )
    assert child_details(Child.objects.get(pk=child.pk)).lead_professional_id is None
    assert response.status_code == 403
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.alice).exists()
