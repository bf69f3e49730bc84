"""The full record page hands its template only what the viewer may see, not the whole decrypted record.

Review (session 39, helper 2): the page decrypted the whole record (every involvement, every source
identifier) and passed it all to the template (`view`, `details`), filtering only the lists the template
happened to print. What kept a sensitive service or another body's identifier off the page was the
template alone: one `{{ view }}` or `{{ details.source_identifiers }}` in a later edit would have shown
them. The filtering is the view's: its context holds the filtered record only.
"""

from django.urls import reverse

from children.records import InvolvementDetails, SensitiveCategory
from children.services import involvement_record
from tests.journeys import signed_in, state_purpose
from tests.pages import handed_to_template, rendered


def test_a_sensitive_service_hidden_from_the_viewer_is_not_handed_to_the_template(world, child):
    involvement_record(
        child=child,
        by=world.bob,
        details=InvolvementDetails(
            practitioner_name="Sexual Health Nurse",
            role="Nurse",
            organisation_id=world.south_gp.pk,
            sensitive_category=SensitiveCategory.SEXUAL_HEALTH,
        ),
    )
    client = signed_in(world.alice)
    state_purpose(client, child)
    response = client.get(reverse("children:record", args=[child.pk]))
    assert "can broker contact" in rendered(response, heading="Amelia Thornton")
    handed = handed_to_template(response)
    assert "Sexual Health Nurse" not in handed
    assert "sexual_health" not in handed


def test_another_bodys_source_identifier_is_not_handed_to_the_template(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    response = client.get(reverse("children:record", args=[child.pk]))
    assert "943 476 5919" not in rendered(response, heading="Amelia Thornton")
    handed = handed_to_template(response)
    assert "9434765919" not in handed and "943 476 5919" not in handed
