"""A practitioner whose offer to be lead professional was accepted, and who is no longer lead (the LA team
cleared the lead, or named someone else), is offered "Offer to be lead professional" again. Offering kept
the old accepted offer as it was: the page said "You have offered to be lead professional" while nothing
was offered, nothing was audited, and the other practitioner had nothing to accept. The offer is now made
again (renewed, with the lead as it is now, and audited); and where nothing would be offered (the
proposer leads already), the page says so instead of reporting an offer."""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.selectors import child_details
from children.services import lead_professional_set
from coordination.models import LeadProposal, Match
from coordination.services import LEAD_OFFER_ALREADY_LEAD
from coordination.tests.support import inbox_page, record, school_teacher
from tests.journeys import signed_in
from tests.personas import make_user

OFFERED = "has offered to be lead professional"


def _lead(child):
    child.refresh_from_db()
    return child_details(child).lead_professional_id


def _carol_led(world, child):
    """Carol offered, Alice accepted: Carol is lead professional."""
    carol = school_teacher(world)
    alices = record(child, world.alice, role="Allocated social worker")
    carols = record(child, carol, role="Class teacher")
    match = Match.objects.get()
    signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))
    offer = LeadProposal.objects.get(involvement=carols)
    signed_in(world.alice).post(reverse("coordination:accept_lead", args=[offer.pk]))
    assert _lead(child) == str(carols.pk)
    return carol, alices, carols, match


def _proposed(carol) -> int:
    return AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalProposed, actor=carol).count()


def test_offering_again_after_the_la_team_cleared_the_lead_makes_an_offer_the_other_side_can_accept(
    world, child
):
    carol, _alices, carols, match = _carol_led(world, child)
    lead_professional_set(child=child, by=world.lena, involvement=None)
    assert "Offer to be lead professional" in inbox_page(carol)
    before = _proposed(carol)

    response = signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]), follow=True)

    assert "You have offered to be lead professional" in response.content.decode()
    assert "Waiting for the other practitioner to accept" in inbox_page(carol)
    assert OFFERED in inbox_page(world.alice), "the page said an offer was made, but none was"
    offer = LeadProposal.objects.get(involvement=carols)
    assert offer.accepted_at is None and offer.accepted_by is None
    assert _proposed(carol) == before + 1
    event = AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalProposed, actor=carol).latest("id")
    assert event.additional["proposal_id"] == offer.pk
    accepted = signed_in(world.alice).post(reverse("coordination:accept_lead", args=[offer.pk]), follow=True)
    assert "The lead professional has been updated" in accepted.content.decode()
    assert _lead(child) == str(carols.pk)


def test_offering_again_after_the_la_team_named_someone_else_makes_an_offer(world, child):
    carol, _alices, carols, match = _carol_led(world, child)
    gina = make_user("gina", world.north_gp)
    ginas = record(child, gina, role="GP")
    lead_professional_set(child=child, by=world.lena, involvement=ginas)
    assert "Offer to be lead professional" in inbox_page(carol)

    response = signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]), follow=True)

    assert "You have offered to be lead professional" in response.content.decode()
    assert OFFERED in inbox_page(world.alice)
    assert LeadProposal.objects.get(involvement=carols).accepted_at is None
    assert _lead(child) == str(ginas.pk)  # only accepting it changes the lead


def test_offering_while_already_the_lead_professional_says_so_and_offers_nothing(world, child):
    carol, _alices, carols, match = _carol_led(world, child)
    assert "Offer to be lead professional" not in inbox_page(carol)
    before = _proposed(carol)

    response = signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]), follow=True)

    page = response.content.decode()
    assert LEAD_OFFER_ALREADY_LEAD in page
    assert "You have offered to be lead professional" not in page
    assert OFFERED not in inbox_page(world.alice)
    assert LeadProposal.objects.get(involvement=carols).accepted_at is not None
    assert _proposed(carol) == before


def test_offering_after_the_la_team_named_the_proposer_lead_says_so_and_offers_nothing(world, child):
    carol = school_teacher(world)
    record(child, world.alice, role="Allocated social worker")
    carols = record(child, carol, role="Class teacher")
    match = Match.objects.get()
    lead_professional_set(child=child, by=world.lena, involvement=carols)

    response = signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]), follow=True)

    assert LEAD_OFFER_ALREADY_LEAD in response.content.decode()
    assert not LeadProposal.objects.exists()
    assert _proposed(carol) == 0


def _crossed_and_carol_led(world, child):
    """Alice offered, then Carol did; Alice accepted Carol's: Carol leads and Alice's offer is overtaken."""
    carol = school_teacher(world)
    alices = record(child, world.alice, role="Allocated social worker")
    carols = record(child, carol, role="Class teacher")
    match = Match.objects.get()
    signed_in(world.alice).post(reverse("coordination:propose_lead", args=[match.pk]))
    signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))
    carols_offer = LeadProposal.objects.get(involvement=carols)
    signed_in(world.alice).post(reverse("coordination:accept_lead", args=[carols_offer.pk]))
    assert _lead(child) == str(carols.pk)
    return carol, alices, carols, match


def test_an_offer_overtaken_by_the_other_sides_acceptance_is_made_again_when_offered_again(world, child):
    carol, alices, _carols, match = _crossed_and_carol_led(world, child)
    lead_professional_set(child=child, by=world.lena, involvement=None)
    assert "Offer to be lead professional" in inbox_page(world.alice)
    before = _proposed(world.alice)

    response = signed_in(world.alice).post(reverse("coordination:propose_lead", args=[match.pk]), follow=True)

    assert "You have offered to be lead professional" in response.content.decode()
    assert "Waiting for the other practitioner to accept" in inbox_page(world.alice)
    assert OFFERED in inbox_page(carol), "the page said an offer was made, but none was"
    assert _proposed(world.alice) == before + 1
    offer = LeadProposal.objects.get(involvement=alices)
    accepted = signed_in(carol).post(reverse("coordination:accept_lead", args=[offer.pk]), follow=True)
    assert "The lead professional has been updated" in accepted.content.decode()
    assert _lead(child) == str(alices.pk)


def test_an_offer_overtaken_by_an_acceptance_does_not_come_back_when_that_offer_is_made_again(world, child):
    """Carol's accepted offer, made again, is no longer an acceptance: Alice's offer, made before Carol led
    and overtaken by that acceptance, must not become acceptable again with it."""
    carol, alices, carols, match = _crossed_and_carol_led(world, child)
    stale = LeadProposal.objects.get(involvement=alices)
    lead_professional_set(child=child, by=world.lena, involvement=None)

    signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))

    assert "Accept as lead professional" not in inbox_page(carol)
    assert OFFERED in inbox_page(world.alice)  # Carol's offer, made again
    response = signed_in(carol).post(reverse("coordination:accept_lead", args=[stale.pk]))
    assert response.status_code == 404  # withdrawn: an offer that can never be accepted again
    assert _lead(child) is None, "an offer overtaken by an acceptance was accepted after it"
    event = AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalProposed, actor=carol).latest("id")
    assert event.additional["withdrawn_proposal_ids"] == [stale.pk]  # the withdrawal is on the record
    assert LeadProposal.objects.get(involvement=carols).accepted_at is None
