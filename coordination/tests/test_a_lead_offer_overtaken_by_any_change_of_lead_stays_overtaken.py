"""An offer to be lead professional stands only while the lead is as it was when it was made. The offer
kept who led (a digest), so a lead changed and changed back (nobody, then Carol, then nobody again) read
as never changed: an offer made before Carol was chosen came back to life, in its own match or in
another of the child's, once the LA team cleared the lead or Carol's involvement ended, with an Accept
button, an offer made before the lead it would replace was ever chosen. Every change of lead since the
offer (an acceptance in any match, the LA team's naming or clearing, an involvement ending as lead)
overtakes it for good; its proposer may offer again."""

from datetime import date

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from children.services import involvement_cease, lead_professional_set
from coordination.models import LeadProposal, Match
from coordination.services import LEAD_OFFER_OVERTAKEN, lead_accept
from coordination.tests.support import inbox_page, record, school_teacher
from linkage.merging import child_merge, child_unmerge
from linkage.tests.test_merge_carries_history import PAUL, _child_of, _fresh
from tests.journeys import signed_in
from tests.personas import make_child, make_user

OFFERED = "has offered to be lead professional"


def _lead(child):
    return child_details(Child.objects.get(pk=child.pk)).lead_professional_id


def _three(world, child):
    carol = school_teacher(world)
    gina = make_user("gina", world.north_gp)
    alices = record(child, world.alice, role="Allocated social worker")
    carols = record(child, carol, role="Class teacher")
    ginas = record(child, gina, role="GP")
    with_gina = Match.objects.get(first__in=[alices, ginas], second__in=[alices, ginas])
    with_carol = Match.objects.get(first__in=[alices, carols], second__in=[alices, carols])
    return carol, gina, carols, ginas, with_gina, with_carol


def _refused_and_nothing_written(world, offer: LeadProposal) -> None:
    accepted_before = AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalAccepted).count()
    acceptance = lead_accept(proposal=offer, by=world.alice)
    assert not acceptance and acceptance.refusal == LEAD_OFFER_OVERTAKEN
    assert LeadProposal.objects.get(pk=offer.pk).accepted_at is None
    assert AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalAccepted).count() == accepted_before


def test_an_offer_made_before_a_lead_was_chosen_in_another_match_stays_overtaken_once_the_lead_is_cleared(
    world, child
):
    carol, gina, carols, _ginas, with_gina, with_carol = _three(world, child)
    signed_in(gina).post(reverse("coordination:propose_lead", args=[with_gina.pk]))
    signed_in(carol).post(reverse("coordination:propose_lead", args=[with_carol.pk]))
    signed_in(world.alice).post(
        reverse("coordination:accept_lead", args=[LeadProposal.objects.get(involvement=carols).pk])
    )
    assert _lead(child) == str(carols.pk)
    lead_professional_set(child=child, by=world.lena, involvement=None)

    assert OFFERED not in inbox_page(world.alice), "Gina's offer, made before Carol was chosen, is back"
    _refused_and_nothing_written(world, LeadProposal.objects.get(match=with_gina))
    assert _lead(child) is None


def test_an_offer_stays_overtaken_when_the_la_team_names_a_lead_and_clears_it_again(world, child):
    _carol, gina, carols, _ginas, with_gina, _with_carol = _three(world, child)
    signed_in(gina).post(reverse("coordination:propose_lead", args=[with_gina.pk]))
    lead_professional_set(child=child, by=world.lena, involvement=carols)
    lead_professional_set(child=child, by=world.lena, involvement=None)

    assert OFFERED not in inbox_page(world.alice)
    _refused_and_nothing_written(world, LeadProposal.objects.get(match=with_gina))


def test_an_offer_stays_overtaken_when_the_lead_named_since_ends_their_involvement(world, child):
    carol, gina, carols, _ginas, with_gina, _with_carol = _three(world, child)
    signed_in(gina).post(reverse("coordination:propose_lead", args=[with_gina.pk]))
    lead_professional_set(child=child, by=world.lena, involvement=carols)
    involvement_cease(involvement=carols, by=carol, ended_on=date.today())
    assert _lead(child) is None

    assert OFFERED not in inbox_page(world.alice)
    _refused_and_nothing_written(world, LeadProposal.objects.get(match=with_gina))


def test_naming_the_same_lead_again_leaves_an_offer_standing(world, child):
    """Not a change of lead: the offer's acceptor chooses against the lead they can see, as before."""
    _carol, gina, carols, _ginas, with_gina, _with_carol = _three(world, child)
    lead_professional_set(child=child, by=world.lena, involvement=carols)
    signed_in(gina).post(reverse("coordination:propose_lead", args=[with_gina.pk]))
    lead_professional_set(child=child, by=world.lena, involvement=carols)

    assert OFFERED in inbox_page(world.alice)


def test_an_overtaken_offer_made_again_stands_and_is_audited_as_made(world, child):
    _carol, gina, carols, ginas, with_gina, _with_carol = _three(world, child)
    gina_c = signed_in(gina)
    gina_c.post(reverse("coordination:propose_lead", args=[with_gina.pk]))
    lead_professional_set(child=child, by=world.lena, involvement=carols)
    lead_professional_set(child=child, by=world.lena, involvement=None)
    offer = LeadProposal.objects.get(match=with_gina)

    assert gina_c.post(reverse("coordination:propose_lead", args=[with_gina.pk])).status_code == 302
    made = AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalProposed).order_by("pk")
    assert made.count() == 2
    assert made.last().additional["proposal_id"] == offer.pk
    assert OFFERED in inbox_page(world.alice)
    assert lead_accept(proposal=offer, by=world.alice)
    assert _lead(child) == str(ginas.pk)


def test_an_offer_made_while_a_lead_led_stays_overtaken_once_an_unmerge_takes_that_lead_back(world):
    """The unmerge clears a lead whose involvement goes back to the restored record, a change of lead."""
    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    carol, gina = school_teacher(world), make_user("gina", world.north_gp)
    carols = record(duplicate, carol, role="Class teacher")
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    alices = record(_fresh(survivor), world.alice, role="Allocated social worker")
    ginas = record(_fresh(survivor), gina, role="GP")
    with_gina = Match.objects.get(first__in=[alices, ginas], second__in=[alices, ginas])
    lead_professional_set(child=_fresh(survivor), by=world.lena, involvement=carols)
    signed_in(gina).post(reverse("coordination:propose_lead", args=[with_gina.pk]))
    version = Child.objects.get(pk=survivor.pk).lead_version

    child_unmerge(merge=merge, by=world.lena)

    assert _lead(survivor) is None
    assert Child.objects.get(pk=survivor.pk).lead_version == version + 1
    assert OFFERED not in inbox_page(world.alice)
    _refused_and_nothing_written(world, LeadProposal.objects.get(match=with_gina))
