"""A postcode typed with digits of another form (full-width, Arabic-Indic) is the same postcode.

`normalise_postcode` matched its digits with `\\d`, which in a Python text pattern is any Unicode decimal
digit: "LS\uff16 2QT" (a full-width 6, what an East Asian input method types) was accepted by every form that
records an address and stored as it was. Its keys (postcode + initial, district + family name, sector
and district + date of birth) then never met the ones the real postcode makes, so a feed row about a
shielded child that shares only its address with the record (the name and date keyed differently, the
case `linkage/tests/test_linking.py::test_a_shielded_child_is_caught_through_an_address_derived_key`
guards) found nothing and was created as a second, visible child: the 2009 failure.
"""

import pytest
from django.urls import reverse

from children.models import Child
from children.selectors import child_details
from feeds.models import RowOutcome
from feeds.tests.factories import feed_row, health_rows_ingest
from linkage.models import ClericalReview
from matching.normalise import normalise_partial_postcode, normalise_postcode
from tests.journeys import signed_in
from tests.personas import make_child

FULL_WIDTH_SIX = "LS\uff16 2QT"  # LS6 2QT with a full-width 6


@pytest.mark.parametrize(
    "typed",
    [
        FULL_WIDTH_SIX,
        "LS6 \uff12QT",  # full-width 2
        "LS\u0666 2QT",  # Arabic-Indic 6
        "LS\u06f6 \u06f2QT",  # Extended Arabic-Indic 6 and 2
        "LS\u096c 2QT",  # Devanagari 6
        "LS\U0001d7d4 2QT",  # mathematical bold 6
        "\uff2c\uff33\uff16\u3000\uff12\uff31\uff34",  # wholly full-width, ideographic space
    ],
)
def test_a_postcode_with_other_digits_is_the_same_postcode_or_none(typed):
    assert normalise_postcode(typed) == "LS6 2QT"
    assert normalise_partial_postcode(typed) == "LS6 2QT"


def test_a_partial_postcode_with_other_digits_is_the_same_sector_or_district():
    assert normalise_partial_postcode("LS\uff16 \uff12") == "LS6 2"
    assert normalise_partial_postcode("LS\u0666") == "LS6"


def test_a_postcode_with_characters_that_are_no_decimal_digit_is_none():
    # A CJK numeral or a Roman numeral is no digit of a postcode, in any script: refused, never kept.
    assert normalise_postcode("LS\u516d 2QT") is None
    assert normalise_postcode("LS\u2165 2QT") is None
    assert normalise_partial_postcode("LS\u516d") is None
    assert normalise_partial_postcode("LS6 \u516d") is None


def test_an_address_recorded_with_a_full_width_digit_still_holds_a_shielded_child(world):
    """The LA team records the shielded child's address with a full-width digit; a feed row sharing only
    the address (given name and date of birth keyed wrongly) must still be held for the team."""
    child = make_child(world, given_names="Jasmine", family_name="Okafor", postcode="LS1 4AB", shielded=True)
    response = signed_in(world.lena).post(
        reverse("moves:address", args=[child.pk]),
        {"status": "known", "line_1": "7 Mill Row", "town": "Leeds", "postcode": FULL_WIDTH_SIX},
    )
    assert response.status_code == 302
    assert child_details(Child.objects.get(pk=child.pk)).address.postcode == "LS6 2QT"

    report = health_rows_ingest(
        world,
        [
            feed_row(
                given_names="Yasmin",
                family_name="Okafor",
                date_of_birth="2015-08-14",
                postcode="LS6 2QT",
                nhs_number=None,
            )
        ],
    )
    assert report.counts[RowOutcome.CREATED] == 0
    assert report.counts[RowOutcome.REVIEW] == 1
    assert ClericalReview.objects.get().shielded_hold
    assert Child.objects.count() == 1


def test_a_record_stored_with_a_full_width_digit_before_this_fix_is_filed_under_the_real_postcode(world):
    """A record written before (its postcode stored as typed) is filed under the real postcode's keys
    once refiled (`manage.py rebuild_blocking_keys`), since filing normalises the stored postcode."""
    make_child(world, given_names="Jasmine", family_name="Okafor", postcode=FULL_WIDTH_SIX, shielded=True)
    report = health_rows_ingest(
        world,
        [
            feed_row(
                given_names="Yasmin",
                family_name="Okafor",
                date_of_birth="2015-08-14",
                postcode="LS6 2QT",
                nhs_number=None,
            )
        ],
    )
    assert report.counts[RowOutcome.REVIEW] == 1
    assert ClericalReview.objects.get().shielded_hold
    assert Child.objects.count() == 1
