from datetime import date

from django.urls import reverse

from children.records import InvolvementDetails
from children.services import involvement_record
from tests.journeys import signed_in, state_purpose
from tests.pages import rendered


def test_the_record_links_phone_numbers_and_email_addresses(world, child):
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            practitioner_name="Alice Example",
            role="Social worker",
            organisation_id=world.north_social_care.pk,
            phone="+44 113 496 0000",
            email="alice.o'neil@example.org",
            started_on=date(2024, 9, 1),
        ),
    )
    client = signed_in(world.bob)
    state_purpose(client, child)
    page = rendered(client.get(reverse("children:record", args=[child.pk])), heading="Amelia Thornton")
    assert 'href="tel:+441134960000"' in page
    assert 'href="mailto:alice.o%27neil@example.org"' in page
    assert '<span class="cp-nowrap">alice</span><wbr><span class="cp-nowrap">.o&#x27;neil@</span>' in page
    assert 'href="tel:07700900123"' in page  # the carer's phone too
