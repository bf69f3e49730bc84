"""A date box holding more digits than Python turns into a number (4,300, `sys.int_info`) is a GOV.UK
validation error, never a server error.

Review, session 23: `DatePartsMixin.combine_date` called `int()` on any string of ASCII digits. Python
refuses to convert a string of more than 4,300 digits (a guard against quadratic-time conversion), so
5,000 nines in the year box of the search page, the start date of "Record your involvement" or the end
date of "Mark involvement as ended" raised `ValueError`: a 500 for any signed-in practitioner (the earlier
hostile-input tests used 20 digits, which convert). The team's invitation and the administration's
organisation form use the same mixin but cap their boxes at 20 characters.
"""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.records import InvolvementDetails
from children.services import involvement_record
from tests.journeys import signed_in, state_purpose

ENDLESS = "9" * 5000


@pytest.mark.parametrize("part", ["day", "month", "year"])
def test_a_search_date_box_of_endless_digits_is_a_validation_error_and_no_search(world, part):
    data = {"family_name": "Thornton", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}
    data[f"dob_{part}"] = ENDLESS
    page = signed_in(world.alice).post(reverse("children:search"), data)
    assert page.status_code == 200
    assert "Date of birth must be a real date" in page.content.decode()
    assert not AuditEvent.objects.filter(tag=AuditTag.SearchPerformed).exists()


def test_a_start_date_of_endless_digits_is_a_validation_error_and_records_nothing(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    data = {"role": "Teacher", "phone": "0300 000 0000", "email": "t@example.org"}
    data |= {"start_day": "1", "start_month": "2", "start_year": ENDLESS}
    page = client.post(reverse("children:involvement_new", args=[child.pk]), data)
    assert page.status_code == 200
    assert "The start date must be a real date" in page.content.decode()
    assert not child.involvements.exists()


def test_an_end_date_of_endless_digits_is_a_validation_error_and_ends_nothing(world, child):
    involvement = involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            practitioner_name="Alice Example",
            role="Social worker",
            organisation_id=world.north_social_care.pk,
            started_on=date(2024, 1, 1),
        ),
    )
    client = signed_in(world.alice)
    state_purpose(client, child)
    page = client.post(
        reverse("children:involvement_end", args=[child.pk, involvement.pk]),
        {"end_day": ENDLESS, "end_month": "1", "end_year": "2025"},
    )
    assert page.status_code == 200
    assert "The end date must be a real date" in page.content.decode()
    involvement.refresh_from_db()
    assert not involvement.ceased
