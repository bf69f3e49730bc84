"""An organisation an administrator classes as a sensitive service after its staff recorded involvements
(the directory had it as a health service): those involvements are a sensitive service's from then on.

Before, the record page and the match inbox judged only the category sealed at recording time (none, as
the organisation was not then a sensitive service), so the clinic, its nurse and her role stayed on every
practitioner's record page and in the other practitioner's inbox, while accepting the clinic's offer to
lead (`coordination.sensitivity.involvement_sensitive`, by organisation) already treated it as sensitive.
"""

from django.urls import reverse

from accounts.models import OrganisationKind
from coordination.tests.support import inbox_page, organisation, record, record_by_page
from tests.journeys import signed_in, state_purpose
from tests.personas import make_user


def test_involvements_of_a_service_classed_sensitive_later_are_hidden_as_a_sensitive_services(world, child):
    clinic = organisation(world, OrganisationKind.HEALTH, "Riverside Sexual Health Clinic", "SH-9")
    sian = make_user("sian", clinic)
    record(child, world.alice, role="Allocated social worker")
    record_by_page(signed_in(sian), child, role="Sexual health nurse")
    bob = signed_in(world.bob)  # a GP in another LA, looking the child up
    state_purpose(bob, child)
    before = bob.get(reverse("children:record", args=[child.pk])).content.decode()
    assert "Riverside" in before  # an ordinary health service, shown to all: the test's own control

    clinic.kind = OrganisationKind.SENSITIVE  # as the administration page's edit does
    clinic.save(update_fields=["kind"])

    record_page = bob.get(reverse("children:record", args=[child.pk])).content.decode()
    assert "Alice Example" in record_page
    for named in ("Riverside", "Sexual health nurse", "Sian"):
        assert named not in record_page
    alice_sees = inbox_page(world.alice)
    assert "The LA team can broker contact with another service" in alice_sees
    for named in ("Riverside", "Sexual health nurse", "Sian"):
        assert named not in alice_sees
    # The LA team, and the clinic itself, still see it.
    lena = signed_in(world.lena)
    state_purpose(lena, child)
    assert "Riverside" in lena.get(reverse("children:record", args=[child.pk])).content.decode()
    sian_client = signed_in(sian)
    state_purpose(sian_client, child)
    assert (
        "Sexual health nurse" in sian_client.get(reverse("children:record", args=[child.pk])).content.decode()
    )


def test_an_offer_to_lead_from_a_service_classed_sensitive_later_is_not_accepted_by_whom_it_is_hidden_from(
    world, child
):
    """Judged by its recorder's organisation alone, an offer was accepted once its practitioner had moved
    to an ordinary service: the hidden clinic's involvement became lead professional."""
    from coordination.models import LeadProposal, Match

    clinic = organisation(world, OrganisationKind.HEALTH, "Riverside Sexual Health Clinic", "SH-9")
    sian = make_user("sian", clinic)
    record(child, world.alice, role="Allocated social worker")
    siany = record(child, sian, role="Sexual health nurse")
    match = Match.objects.get()
    assert signed_in(sian).post(reverse("coordination:propose_lead", args=[match.pk])).status_code == 302
    clinic.kind = OrganisationKind.SENSITIVE
    clinic.save(update_fields=["kind"])
    sian.organisation = organisation(world, OrganisationKind.HEALTH, "Riverside Health Visitors", "HV-9")
    sian.save(update_fields=["organisation"])

    assert "Sexual health nurse" not in inbox_page(world.alice)
    response = signed_in(world.alice).post(
        reverse("coordination:accept_lead", args=[LeadProposal.objects.get().pk])
    )
    assert response.status_code == 404
    child.refresh_from_db()
    from children.selectors import child_details

    assert child_details(child).lead_professional_id != str(siany.pk)
