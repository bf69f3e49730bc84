"""A sensitive service (sexual health, mental health, substance misuse) in a client match is shown to an
ordinary practitioner only as "the LA team can broker contact with another service"; the record page
shows no lead professional where the lead is such a service ("None recorded"), as the disclosure file
does since session 25. The inbox still said "The other practitioner is the lead professional for this
child", and offered the clinic's offer to lead, with a button to accept it: that the hidden service
coordinates the child's care, or wants to. Neither is shown to whom the service is hidden, and such an
offer cannot be accepted by them (not found, nothing written)."""

from django.urls import reverse

from accounts.models import OrganisationKind
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.records import SensitiveCategory
from children.selectors import child_details
from children.services import lead_professional_set
from coordination.models import LeadProposal, Match
from coordination.tests.support import clinic_nurse, inbox_page, organisation, record
from tests.journeys import signed_in
from tests.personas import make_user

OFFERED = "has offered to be lead professional"
LEADS = "is the lead professional for this child"


def _clinic_matched(world, child):
    sian = clinic_nurse(world)
    record(child, world.alice, role="Allocated social worker")
    sians = record(
        child, sian, role="Sexual health nurse", sensitive_category=SensitiveCategory.SEXUAL_HEALTH
    )
    return sian, sians, Match.objects.get()


def test_a_hidden_services_offer_to_lead_is_not_shown_nor_accepted_by_whom_it_is_hidden(world, child):
    sian, _sians, match = _clinic_matched(world, child)
    signed_in(sian).post(reverse("coordination:propose_lead", args=[match.pk]))
    proposal = LeadProposal.objects.get()

    alice_sees = inbox_page(world.alice)
    assert "The LA team can broker contact with another service" in alice_sees
    assert OFFERED not in alice_sees and "Accept as lead professional" not in alice_sees

    response = signed_in(world.alice).post(reverse("coordination:accept_lead", args=[proposal.pk]))
    assert response.status_code == 404
    assert LeadProposal.objects.get().accepted_at is None
    assert child_details(Child.objects.get(pk=child.pk)).lead_professional_id is None
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalAccepted).exists()


def test_a_hidden_service_that_leads_is_not_said_to_lead(world, child):
    _sian, sians, _match = _clinic_matched(world, child)
    lead_professional_set(child=child, by=world.lena, involvement=sians)  # the LA team names the clinic

    alice_sees = inbox_page(world.alice)
    assert "The LA team can broker contact with another service" in alice_sees
    assert LEADS not in alice_sees and "You are the lead professional" not in alice_sees


def test_the_clinic_still_sees_and_accepts_an_offer_from_the_practitioner_it_may_see(world, child):
    """Alice may not offer to a service hidden from her (not found, as the inbox offers nothing:
    `test_a_hidden_services_end_is_not_told`); an offer she made while the clinic was an ordinary health
    service, classed a sensitive service since, still stands for the clinic to accept."""
    clinic = organisation(world, OrganisationKind.HEALTH, "Riverside Sexual Health Clinic", "SH-9")
    sian = make_user("sian", clinic)
    record(child, world.alice, role="Allocated social worker")
    record(child, sian, role="Sexual health nurse")
    match = Match.objects.get()
    assert (
        signed_in(world.alice).post(reverse("coordination:propose_lead", args=[match.pk])).status_code == 302
    )
    clinic.kind = OrganisationKind.SENSITIVE  # as the administration page's edit does
    clinic.save(update_fields=["kind"])
    assert OFFERED in inbox_page(sian)
    proposal = LeadProposal.objects.get()
    response = signed_in(sian).post(reverse("coordination:accept_lead", args=[proposal.pk]))
    assert response.status_code == 302
    assert child_details(Child.objects.get(pk=child.pk)).lead_professional_id == str(proposal.involvement_id)
