"""An offer to be lead professional is made to the other side of a match, who alone may accept it. Once
the other practitioner's involvement has ended, nobody can: the inbox lists the match as ended and offers
nothing, but an inbox page open from before (or a form sent again) still made the offer, audited it as
made, and told the proposer "The other practitioner can accept". It is now refused in words under the
child's lock, and nothing is stored or audited."""

from datetime import date

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.services import involvement_cease
from coordination.models import LeadProposal
from coordination.tests.test_lead_professional import _matched
from tests.journeys import signed_in


def test_an_offer_on_a_match_whose_other_side_has_ended_is_refused_in_words_and_not_kept(world, child):
    carol, alices, _carols, match = _matched(world, child)
    involvement_cease(involvement=alices, by=world.alice, ended_on=date.today())

    response = signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]), follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "The other practitioner can accept" not in page
    assert "no longer works with this child" in page
    assert not LeadProposal.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalProposed).exists()
