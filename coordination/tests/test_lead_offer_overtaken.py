"""An offer to be lead professional is accepted only while the lead is still what it was when it was made:
a crossed or stale offer never replaces a lead professional chosen since (by the other offer, or by the
LA team), and the inbox stops offering it."""

from django.urls import reverse

from children.selectors import child_details
from children.services import lead_professional_set
from coordination.models import LeadProposal, Match
from coordination.services import LEAD_OFFER_OVERTAKEN
from coordination.tests.support import inbox_page, record, school_teacher
from tests.journeys import signed_in
from tests.personas import make_user


def _lead(child):
    child.refresh_from_db()
    return child_details(child).lead_professional_id


def _followed(client, url: str) -> str:
    response = client.post(url, follow=True)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_of_two_crossed_offers_the_second_acceptance_is_refused_and_the_first_lead_stays(world, child):
    carol = school_teacher(world)
    alices = record(child, world.alice, role="Allocated social worker")
    carols = record(child, carol, role="Class teacher")
    match = Match.objects.get()
    alice, carol_c = signed_in(world.alice), signed_in(carol)
    assert alice.post(reverse("coordination:propose_lead", args=[match.pk])).status_code == 302
    assert carol_c.post(reverse("coordination:propose_lead", args=[match.pk])).status_code == 302
    alices_offer = LeadProposal.objects.get(involvement=alices)
    carols_offer = LeadProposal.objects.get(involvement=carols)
    # Alice accepts Carol's offer: Carol is lead professional.
    assert alice.post(reverse("coordination:accept_lead", args=[carols_offer.pk])).status_code == 302
    assert _lead(child) == str(carols.pk)
    # Carol, from her inbox loaded before, accepts Alice's offer: refused, with the reason on the page.
    page = _followed(carol_c, reverse("coordination:accept_lead", args=[alices_offer.pk]))
    assert _lead(child) == str(carols.pk), "a stale acceptance replaced the lead professional just agreed"
    assert LEAD_OFFER_OVERTAKEN in page
    assert "You are the lead professional for this child" in page
    assert LeadProposal.objects.get(pk=alices_offer.pk).accepted_at is None


def test_an_old_offer_cannot_override_the_lead_professional_the_la_team_set_since(world, child):
    carol = school_teacher(world)
    record(child, world.alice, role="Allocated social worker")
    record(child, carol, role="Class teacher")
    match = Match.objects.get()
    signed_in(world.alice).post(reverse("coordination:propose_lead", args=[match.pk]))
    offer = LeadProposal.objects.get()
    assert "Accept as lead professional" in inbox_page(carol)
    # Since then, a third practitioner (a GP) is named lead professional by the LA team on the record.
    gina = make_user("gina", world.north_gp)
    ginas = record(child, gina, role="GP")
    lead_professional_set(child=child, by=world.lena, involvement=ginas)
    # The inbox no longer offers the old proposal to accept, and says why.
    page = inbox_page(carol)
    assert "Accept as lead professional" not in page
    assert "the lead professional has changed since" in page
    # Alice is no longer shown as waiting on it: she may offer again.
    assert "Waiting for the other practitioner to accept" not in inbox_page(world.alice)
    # Posting the old form anyway changes nothing and says why.
    page = _followed(signed_in(carol), reverse("coordination:accept_lead", args=[offer.pk]))
    assert _lead(child) == str(ginas.pk), "an outdated proposal replaced the lead professional set since"
    assert LEAD_OFFER_OVERTAKEN in page


def test_offering_again_after_the_lead_changed_renews_the_offer_and_it_can_be_accepted(world, child):
    carol = school_teacher(world)
    alices = record(child, world.alice, role="Allocated social worker")
    record(child, carol, role="Class teacher")
    match = Match.objects.get()
    signed_in(world.alice).post(reverse("coordination:propose_lead", args=[match.pk]))
    gina = make_user("gina", world.north_gp)
    lead_professional_set(child=child, by=world.lena, involvement=record(child, gina, role="GP"))
    signed_in(world.alice).post(reverse("coordination:propose_lead", args=[match.pk]))
    offer = LeadProposal.objects.get()
    assert "Accept as lead professional" in inbox_page(carol)
    page = _followed(signed_in(carol), reverse("coordination:accept_lead", args=[offer.pk]))
    assert "The lead professional has been updated" in page
    assert _lead(child) == str(alices.pk)
