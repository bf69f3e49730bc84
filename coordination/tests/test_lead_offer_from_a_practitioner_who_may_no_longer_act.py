"""An offer to be lead professional is its proposer's, to be carried out by them. Once their account is
suspended or closed (or their vetting lapses), the offer was still offered and accepted: a practitioner
who cannot sign in (suspended, perhaps for misuse, or gone) became the child's lead professional, the
person every other practitioner is told coordinates the work. The offer now waits: it is not offered
and cannot be accepted while the rules refuse its proposer, and can be again once they are reinstated."""

from django.urls import reverse

from accounts.models import User
from accounts.services import account_close, account_reinstate, account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from coordination.models import LeadProposal
from coordination.services import LEAD_OFFER_PROPOSER_CANNOT_ACT
from coordination.tests.support import inbox_page
from coordination.tests.test_lead_professional import _lead, _matched
from tests.journeys import signed_in

OFFERED = "has offered to be lead professional"


def _offered_by_carol(world, child):
    carol, _alices, carols, match = _matched(world, child)
    signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))
    return carol, carols, LeadProposal.objects.get()


def _accept_as_alice(proposal):
    client = signed_in(User.objects.get(username="alice"))
    response = client.post(reverse("coordination:accept_lead", args=[proposal.pk]))
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"]).content.decode()


def test_an_offer_from_a_practitioner_suspended_since_is_neither_offered_nor_accepted(world, child):
    carol, _carols, proposal = _offered_by_carol(world, child)
    account_suspend(user=carol, by=world.lena, reason="Misuse under investigation")

    assert OFFERED not in inbox_page(world.alice)
    page = _accept_as_alice(proposal)

    assert LEAD_OFFER_PROPOSER_CANNOT_ACT in page
    assert _lead(child) is None
    assert LeadProposal.objects.get().accepted_at is None
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalAccepted).exists()


def test_an_offer_from_a_practitioner_whose_account_was_closed_is_not_accepted(world, child):
    carol, _carols, proposal = _offered_by_carol(world, child)
    account_close(user=carol, by=world.lena)

    assert LEAD_OFFER_PROPOSER_CANNOT_ACT in _accept_as_alice(proposal)
    assert _lead(child) is None


def test_the_offer_can_be_accepted_again_once_its_proposer_is_reinstated(world, child):
    carol, carols, proposal = _offered_by_carol(world, child)
    account_suspend(user=carol, by=world.lena, reason="Misuse under investigation")
    account_reinstate(user=User.objects.get(pk=carol.pk), by=world.lena)

    assert OFFERED in inbox_page(world.alice)
    _accept_as_alice(proposal)
    assert _lead(child) == str(carols.pk)
