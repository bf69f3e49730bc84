"""The "Mark involvement as ended" page shows one involvement of the record (who works with the child,
their role), so it is a look at the record like the lead professional and CAF pages: audited as a view
under the stated purpose and counted by the viewing rules, first look and form shown again alike.

Review, session 23: the page was never audited. The owning LA team may end any involvement of its LA's
children, a sensitive service's included, so with an involvement id (the audit log's lead professional
and ending events carry them) and a purpose POSTed (which writes nothing), a team member read who a
clinic's practitioner was and their role ("Sexual health nurse") with nothing in the log.
"""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.records import InvolvementDetails, SensitiveCategory
from children.services import involvement_record
from tests.journeys import signed_in, state_purpose


def _clinic_involvement(world, child):
    return involvement_record(
        child=child,
        by=world.bob,
        details=InvolvementDetails(
            practitioner_name="Bob Example",
            role="Sexual health nurse",
            organisation_id=world.south_gp.pk,
            started_on=date(2024, 1, 1),
            sensitive_category=SensitiveCategory.SEXUAL_HEALTH,
        ),
    )


@pytest.mark.parametrize("method", ["GET", "POST"], ids=["first_look", "form_shown_again"])
def test_the_end_page_of_a_sensitive_service_is_audited_as_a_view_of_the_record(world, child, method):
    involvement = _clinic_involvement(world, child)
    client = signed_in(world.lena)
    state_purpose(client, child, purpose="safeguarding")  # no record page in between
    assert not AuditEvent.objects.filter(tag=AuditTag.RecordViewed).exists()
    url = reverse("children:involvement_end", args=[child.pk, involvement.pk])
    page = client.get(url) if method == "GET" else client.post(url, {})
    assert page.status_code == 200
    assert "Bob Example, Sexual health nurse" in page.content.decode()
    viewed = AuditEvent.objects.get(tag=AuditTag.RecordViewed, child_id=child.pk)
    assert viewed.actor_id == world.lena.pk
    assert viewed.additional["purpose"] == "safeguarding"
    assert viewed.additional["page"] == "children:involvement_end"
    involvement.refresh_from_db()
    assert not involvement.ceased


def test_ending_the_involvement_is_audited_as_the_ending_not_as_a_look(world, child):
    """A valid POST shows nothing: it ends the involvement (audited as such) and goes to the record."""
    involvement = _clinic_involvement(world, child)
    client = signed_in(world.bob)
    state_purpose(client, child)
    response = client.post(
        reverse("children:involvement_end", args=[child.pk, involvement.pk]),
        {"end_day": "1", "end_month": "3", "end_year": "2025"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(tag=AuditTag.InvolvementCeased, child_id=child.pk).count() == 1
    assert not AuditEvent.objects.filter(tag=AuditTag.RecordViewed).exists()
