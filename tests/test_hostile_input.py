"""Bad input is a GOV.UK validation error (or a 404 for an id that cannot exist), never a server error.

The pentest found OverflowError and ValueError behind date boxes, report filters and the export's
`user` parameter. Named regression tests pin each one; property-based tests (Hypothesis) then throw
arbitrary and hostile text at every form and every query parameter, and one test walks every URL.
"""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.records import InvolvementDetails
from children.services import involvement_record
from tests.journeys import signed_in, state_purpose

HUGE = "99999999999999999999"
# More digits than Python turns into a number (4,300, `sys.int_info`): `int()` raised ValueError, a 500
# (review, session 23); a date box is a number only up to 10 digits (`children.forms`).
ENDLESS = "9" * 5000
HUGE_PARTS = pytest.mark.parametrize("huge", [HUGE, ENDLESS], ids=["20 digits", "5,000 digits"])


@HUGE_PARTS
@pytest.mark.parametrize("part", ["day", "month", "year"])
def test_a_huge_date_part_in_a_search_is_a_validation_error_and_no_search(world, part, huge):
    data = {"family_name": "Thornton", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}
    page = signed_in(world.alice).post(reverse("children:search"), data | {f"dob_{part}": huge})
    assert page.status_code == 200
    assert "Date of birth must be a real date" in page.content.decode()
    assert not AuditEvent.objects.filter(tag=AuditTag.SearchPerformed).exists()


@HUGE_PARTS
@pytest.mark.parametrize("part", ["day", "month", "year"])
def test_a_huge_date_part_when_recording_involvement_is_a_validation_error(world, child, part, huge):
    client = signed_in(world.alice)
    state_purpose(client, child)
    data = {"role": "Teacher", "phone": "0300 000 0000", "email": "t@example.org"}
    data |= {"start_day": "1", "start_month": "2", "start_year": "2024", f"start_{part}": huge}
    page = client.post(reverse("children:involvement_new", args=[child.pk]), data)
    assert page.status_code == 200
    assert "The start date must be a real date" in page.content.decode()
    assert not child.involvements.exists()


@HUGE_PARTS
def test_a_huge_end_date_is_a_validation_error_and_ends_nothing(world, child, huge):
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
        {"end_day": huge, "end_month": "1", "end_year": "2025"},
    )
    assert page.status_code == 200
    assert "The end date must be a real date" in page.content.decode()
    involvement.refresh_from_db()
    assert not involvement.ceased


@pytest.mark.parametrize("url_name", ["audit:unexplained", "audit:export"])
@pytest.mark.parametrize("field", ["date_from", "date_to"])
def test_the_last_day_there_is_as_a_report_date_is_a_validation_error(world, url_name, field):
    response = signed_in(world.lena).get(reverse(url_name), {field: "9999-12-31"})
    assert response.status_code in (200, 302)
    if url_name == "audit:unexplained":
        assert "must be a date between" in response.content.decode()


def test_the_report_filter_refuses_the_last_day_there_is(world, child):
    page = signed_in(world.lena).get(
        reverse("audit:child_access", args=[child.pk]), {"date_to": "9999-12-31"}
    )
    assert page.status_code == 200
    assert "The date must be a date between 1 January 2000 and 31 December 2999" in page.content.decode()


@pytest.mark.parametrize("user", ["\u00b2", "\u0661", HUGE, "-1", " 1"])
def test_a_user_id_that_cannot_exist_in_the_export_is_not_found(world, user):
    response = signed_in(world.lena).get(reverse("audit:export"), {"report": "user", "user": user})
    assert response.status_code == 404


def test_an_id_too_large_for_the_database_in_a_path_is_not_found(world):
    client = signed_in(world.lena)
    assert client.get(f"/team/users/{HUGE}/").status_code == 404
    assert client.get(f"/audit/users/{HUGE}/").status_code == 404


def test_a_background_check_date_in_the_far_future_is_a_validation_error(world):
    data = {
        "first_name": "Ivy",
        "last_name": "Newcomer",
        "email": "ivy@example.org",
        "username": "ivy",
        "role": "practitioner",
        "organisation": str(world.north_social_care.pk),
        "background_check_day": "31",
        "background_check_month": "12",
        "background_check_year": "9999",
        "training_day": "31",
        "training_month": "12",
        "training_year": "9999",
    }
    page = signed_in(world.lena).post(reverse("team:invite"), data)
    assert page.status_code == 200
    assert "must be today or in the past" in page.content.decode()


SUPERSCRIPT_INDEX_NUMBER = "²" * 10  # digits to str.isdigit(), not to int()


def test_an_index_number_of_superscript_digits_on_the_export_request_is_a_validation_error(world, child):
    from disclosure.models import DisclosureExport, LawfulBasis

    data = {
        "lawful_basis": LawfulBasis.COURT_ORDER,
        "reference": "CO-2026-118",
        "index_numbers": SUPERSCRIPT_INDEX_NUMBER,
        "details": ["name"],
    }
    page = signed_in(world.lena).post(reverse("team:export_new"), data)
    assert page.status_code == 200
    assert "Enter index numbers of 10 digits" in page.content.decode()
    assert not DisclosureExport.objects.exists()


def test_an_index_number_of_superscript_digits_on_the_archive_and_merge_finders_is_not_a_server_error(
    world, child
):
    archive = signed_in(world.dara).post(
        reverse("lifecycle:archive_find"), {"index_number": SUPERSCRIPT_INDEX_NUMBER}
    )
    merge = signed_in(world.lena).post(
        reverse("linkage:merge_find"), {"survivor": child.index_number, "duplicate": SUPERSCRIPT_INDEX_NUMBER}
    )
    assert (archive.status_code, merge.status_code) == (200, 400)
    assert "Check the index number" in archive.content.decode()
    assert "Enter a 10-digit index number" in merge.content.decode()
