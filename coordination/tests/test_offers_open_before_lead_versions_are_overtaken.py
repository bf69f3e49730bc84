"""Offers to lead still open when `Child.lead_version` came in are overtaken by the upgrade.

Review of session 39 (helper 14): every child got a count of 0, and an offer's digest at 0 is the digest of
the lead alone, as before the count existed: an offer made while nobody led, followed before the upgrade
by a lead named and cleared, still matched and was accepted. The upgrade (migration coordination/0003,
`coordination.upgrades.offers_before_lead_versions_overtaken`) overtakes every offer then open.
"""

from django.urls import reverse

from children.models import Child
from children.services import lead_professional_set
from coordination.models import LeadProposal, Match
from coordination.services import LEAD_OFFER_OVERTAKEN, lead_accept
from coordination.tests.support import record, school_teacher
from coordination.upgrades import offers_before_lead_versions_overtaken
from tests.journeys import signed_in
from tests.personas import make_user


def test_an_offer_made_before_a_lead_was_named_and_cleared_before_the_upgrade_is_overtaken_by_it(
    world, child
):
    carol = school_teacher(world)
    gina = make_user("gina", world.north_gp)
    alices = record(child, world.alice, role="Allocated social worker")
    carols = record(child, carol, role="Class teacher")
    ginas = record(child, gina, role="GP")
    with_gina = Match.objects.get(first__in=[alices, ginas], second__in=[alices, ginas])
    signed_in(gina).post(reverse("coordination:propose_lead", args=[with_gina.pk]))
    lead_professional_set(child=child, by=world.lena, involvement=carols)
    lead_professional_set(child=child, by=world.lena, involvement=None)
    Child.objects.filter(pk=child.pk).update(lead_version=0)  # that history came before the count did
    offer = LeadProposal.objects.get(match=with_gina)

    assert offers_before_lead_versions_overtaken(LeadProposal, Child) == 1
    acceptance = lead_accept(proposal=offer, by=world.alice)
    assert not acceptance and acceptance.refusal == LEAD_OFFER_OVERTAKEN


def test_a_child_with_no_open_offer_keeps_its_count(world, child):
    Child.objects.filter(pk=child.pk).update(lead_version=0)
    assert offers_before_lead_versions_overtaken(LeadProposal, Child) == 0
    assert Child.objects.get(pk=child.pk).lead_version == 0
