"""A sensitive service is hidden from an ordinary practitioner: the record page says only "Another service
is also involved", and keeps saying it once the service has ended its involvement (it counts ended ones
too). The inbox moved the match to "Ended matches" the moment the clinic ended, and offering to be lead
professional on it, by a form the inbox never shows for a brokered contact, was served and answered "the
other practitioner no longer works with this child": both told when the hidden service stopped seeing
the child. Now the match stays where it was, and the offer is not found, current or ended alike."""

from datetime import date

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.records import SensitiveCategory
from children.services import involvement_cease
from coordination.models import LeadProposal, Match
from coordination.tests.support import clinic_nurse, inbox_page, record
from tests.journeys import signed_in, state_purpose

BROKERED = "The LA team can broker contact with another service"


def _clinic_matched(world, child):
    sian = clinic_nurse(world)
    alices = record(child, world.alice, role="Allocated social worker")
    sians = record(
        child, sian, role="Sexual health nurse", sensitive_category=SensitiveCategory.SEXUAL_HEALTH
    )
    return sian, alices, sians, Match.objects.get()


def _current_part(page: str) -> str:
    start = page.index('id="current-heading"')
    end = page.index("Ended matches") if "Ended matches" in page else len(page)
    return page[start:end]


def test_the_inbox_keeps_a_hidden_services_match_current_after_the_service_ends(world, child):
    sian, _alices, sians, _match = _clinic_matched(world, child)
    involvement_cease(involvement=sians, by=sian, ended_on=date(2025, 1, 1))

    client = signed_in(world.alice)
    state_purpose(client, child)
    assert (
        "Another service is also involved"
        in client.get(reverse("children:record", args=[child.pk])).content.decode()
    )
    page = inbox_page(world.alice)
    assert "Ended matches" not in page, "the inbox told that the hidden service has ended"
    assert BROKERED in _current_part(page)
    for named in ("Riverside", "Sexual health nurse", "Sian"):
        assert named not in page


def test_the_clinic_which_sees_its_own_side_is_told_its_match_has_ended(world, child):
    sian, _alices, sians, _match = _clinic_matched(world, child)
    involvement_cease(involvement=sians, by=sian, ended_on=date(2025, 1, 1))

    page = inbox_page(sian)
    assert 'id="ended-matches"' in page
    assert "Alice Example" not in _current_part(page)


def test_the_practitioner_whose_own_involvement_ended_is_told_the_match_has_ended(world, child):
    _sian, alices, _sians, _match = _clinic_matched(world, child)
    involvement_cease(involvement=alices, by=world.alice, ended_on=date(2025, 1, 1))

    page = inbox_page(world.alice)
    assert 'id="ended-matches"' in page
    assert BROKERED not in _current_part(page)


def test_offering_to_lead_on_a_hidden_services_match_is_not_found_whether_the_service_ended_or_not(
    world, child
):
    sian, _alices, sians, match = _clinic_matched(world, child)
    assert "Offer to be lead professional" not in inbox_page(world.alice)
    url = reverse("coordination:propose_lead", args=[match.pk])

    while_current = signed_in(world.alice).post(url)
    involvement_cease(involvement=sians, by=sian, ended_on=date(2025, 1, 1))
    once_ended = signed_in(world.alice).post(url, follow=True)

    assert while_current.status_code == once_ended.status_code == 404
    assert "no longer works with this child" not in once_ended.content.decode()
    assert not LeadProposal.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalProposed).exists()


def test_the_clinic_may_still_offer_to_lead_to_the_practitioner_it_sees(world, child):
    sian, _alices, _sians, match = _clinic_matched(world, child)
    assert "Offer to be lead professional" in inbox_page(sian)

    response = signed_in(sian).post(reverse("coordination:propose_lead", args=[match.pk]), follow=True)

    assert "You have offered to be lead professional" in response.content.decode()
    assert AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalProposed, actor=sian).count() == 1
