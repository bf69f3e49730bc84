"""The offer page refuses (not found) an offer to a service hidden from the proposer (a sensitive
service: `test_lead_offers_of_a_service_the_practitioner_may_not_see`). It judged that before the offer
took the child's row lock, and the offer's own recheck did not judge it again: a service classed
sensitive in between was offered the lead by a practitioner it is hidden from, and audited as such. It
is judged again under the lock, and answered as the page answers it."""

from django.urls import reverse

from accounts.models import OrganisationKind
from audit.models import AuditEvent
from audit.tags import AuditTag
from coordination import services
from coordination.models import LeadProposal, Match
from coordination.tests.support import organisation, record
from tests.journeys import signed_in
from tests.personas import make_user


def test_an_offer_to_a_service_classed_sensitive_as_it_is_made_is_not_found_and_nothing_written(
    world, child, monkeypatch
):
    clinic = organisation(world, OrganisationKind.HEALTH, "Riverside Sexual Health Clinic", "SH-9")
    sian = make_user("sian", clinic)
    record(child, world.alice, role="Allocated social worker")
    record(child, sian, role="Sexual health nurse")
    match = Match.objects.get()
    judged_again = services.person_judged_again

    def classed_meanwhile(by, recheck):  # the administrator's edit, after the page's check
        clinic.kind = OrganisationKind.SENSITIVE
        clinic.save(update_fields=["kind"])
        judged_again(by, recheck)

    monkeypatch.setattr(services, "person_judged_again", classed_meanwhile)
    response = signed_in(world.alice).post(reverse("coordination:propose_lead", args=[match.pk]))

    assert response.status_code == 404
    assert not LeadProposal.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalProposed).exists()


def test_an_offer_to_a_service_still_ordinary_under_the_lock_is_made_and_audited(world, child):
    clinic = organisation(world, OrganisationKind.HEALTH, "Riverside Health Clinic", "HC-9")
    sian = make_user("sian", clinic)
    record(child, world.alice, role="Allocated social worker")
    record(child, sian, role="Nurse")
    match = Match.objects.get()

    assert (
        signed_in(world.alice).post(reverse("coordination:propose_lead", args=[match.pk])).status_code == 302
    )
    offer = LeadProposal.objects.get()
    event = AuditEvent.objects.get(tag=AuditTag.LeadProfessionalProposed)
    assert event.additional["proposal_id"] == offer.pk
    assert event.actor_id == world.alice.pk
