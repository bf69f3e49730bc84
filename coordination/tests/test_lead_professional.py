"""From a client match, either practitioner offers to be lead professional; the other accepts."""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.selectors import child_details
from coordination.models import LeadProposal, Match
from coordination.tests.support import inbox_page, record, school_teacher
from tests.journeys import signed_in


def _lead(child):
    child.refresh_from_db()
    return child_details(child).lead_professional_id


def _matched(world, child):
    carol = school_teacher(world)
    alices = record(child, world.alice, role="Allocated social worker")
    carols = record(child, carol, role="Class teacher")
    return carol, alices, carols, Match.objects.get()


def test_one_side_proposes_and_the_other_accepts_and_the_record_shows_who_coordinates(world, child):
    carol, _alices, carols, match = _matched(world, child)
    response = signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))
    assert response.status_code == 302
    proposal = LeadProposal.objects.get()
    assert "has offered to be lead professional" in inbox_page(world.alice)
    response = signed_in(world.alice).post(reverse("coordination:accept_lead", args=[proposal.pk]))
    assert response.status_code == 302
    assert _lead(child) == str(carols.pk)
    assert "You are the lead professional" in inbox_page(carol)
    assert "Carol Example is the lead professional" in inbox_page(world.alice)
    assert AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalProposed, actor=carol).count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalAccepted, actor=world.alice).count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalSet, child_id=child.pk).count() == 1


def test_the_proposer_cannot_accept_their_own_offer(world, child):
    carol, _alices, _carols, match = _matched(world, child)
    signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))
    response = signed_in(carol).post(
        reverse("coordination:accept_lead", args=[LeadProposal.objects.get().pk])
    )
    assert response.status_code == 403
    assert _lead(child) is None


def test_someone_outside_the_match_can_neither_propose_nor_accept(world, child):
    carol, _alices, _carols, match = _matched(world, child)
    signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))
    outsider = signed_in(world.bob)
    assert outsider.post(reverse("coordination:propose_lead", args=[match.pk])).status_code == 403
    proposal = LeadProposal.objects.get()
    assert outsider.post(reverse("coordination:accept_lead", args=[proposal.pk])).status_code == 403
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.bob).count() == 2


def test_an_offer_from_an_ended_involvement_cannot_be_accepted(world, child):
    from datetime import date

    from children.services import involvement_cease

    carol, _alices, carols, match = _matched(world, child)
    signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))
    involvement_cease(involvement=carols, by=carol, ended_on=date(2025, 1, 1))
    signed_in(world.alice).post(reverse("coordination:accept_lead", args=[LeadProposal.objects.get().pk]))
    assert _lead(child) is None


def test_a_family_match_offers_no_lead_professional(world, child):
    from tests.personas import make_child

    sibling = make_child(world, given_names="Oliver")  # same mother as Amelia (make_child's carer)
    record(child, world.alice)
    record(sibling, world.bob)
    match = Match.objects.get()
    assert match.kind == "family"
    assert "Offer to be lead professional" not in inbox_page(world.alice)
    assert (
        signed_in(world.alice).post(reverse("coordination:propose_lead", args=[match.pk])).status_code == 404
    )
    assert not LeadProposal.objects.exists()


def test_acting_on_a_match_needs_ones_own_current_involvement_with_that_same_child(world, child):
    """The policy judges the involvement against the child acted on: another child's does not count."""
    from access.permissions import Permission
    from access.policy import decide
    from coordination.tests.support import record
    from tests.personas import make_child

    other = make_child(world, given_names="Noah", postcode="LS6 1AA")
    alices = record(child, world.alice)
    allowed = decide(
        actor=world.alice, action=Permission.InvolvementCoordinate, child=child, involvement=alices
    )
    assert allowed.allowed
    refused = decide(
        actor=world.alice, action=Permission.InvolvementCoordinate, child=other, involvement=alices
    )
    assert refused.reason == "not_own_involvement"
