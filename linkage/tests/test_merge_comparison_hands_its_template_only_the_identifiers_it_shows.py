"""The merge comparison hands its template only the source identifiers it shows, as the record page does.

Review (session 39, helper 10), after d30bcbc: the page shows each identifier held, its value only to staff
of the body that issued it (`access.policy.identifiers_shown`), yet it also handed the template each side's
whole decrypted record, every identifier's value in it: what kept another body's NHS number off the page
was the template alone. Each side's record now reaches the template without its identifiers; they are
handed on once, as shown.
"""

from datetime import date

from django.urls import reverse

from children.records import Address, ChildDetails, Gender, SourceIdentifier
from children.services import child_create
from tests.journeys import signed_in
from tests.pages import handed_to_template, rendered
from tests.personas import make_child


def _compared(world, survivor, duplicate):
    return signed_in(world.lena).get(reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk]))


def test_another_bodys_identifier_value_is_not_handed_to_the_template(world):
    """make_child's NHS number is issued by North's GP practice, not by lena's LA."""
    survivor = make_child(world)
    duplicate = make_child(world, family_name="Thorntone", given_names="Amelia-Rose", postcode="LS6 1AA")
    response = _compared(world, survivor, duplicate)
    page = rendered(response, heading="Are these the same child?")
    assert "Amelia-Rose" in page and "Thorntone" in page and "LS6 1AA" in page and "LS1 4AB" in page
    assert page.count("NHS number held, issued by another body") == 2
    handed = handed_to_template(response)
    assert "943 476 5919" not in handed and "9434765919" not in handed


def test_an_identifier_the_viewers_own_body_issued_is_still_shown_with_its_value(world):
    survivor = make_child(world)
    duplicate = child_create(
        local_authority=world.north,
        details=ChildDetails(
            given_names="Amelia",
            family_name="Thornton",
            gender=Gender.FEMALE,
            date_of_birth=date(2015, 3, 4),
            address=Address(lines=["12 Quarry Lane", "Leeds"], postcode="LS1 4AB"),
            source_identifiers=[
                SourceIdentifier("upn", "A123456789012", world.north.pk),
                SourceIdentifier("nhs_number", "943 476 5919", world.north_gp.pk),
            ],
        ),
    )
    response = _compared(world, survivor, duplicate)
    page = rendered(response, heading="Are these the same child?")
    assert "Unique pupil number A123456789012" in page
    handed = handed_to_template(response)
    assert "943 476 5919" not in handed and "9434765919" not in handed
