"""A placeholder NHS number (one digit ten times) or one from a range never issued is refused by row.

Every number of one digit repeated passes the modulus-11 check ("000 000 0000", "999 999 9999": the
check digit of n repeated is n), and systems write such numbers where they hold none. The engine takes an
equal NHS number as the one evidence that outweighs a differing given name (a twin) and lifts a close
call to a link, so twins fed with the same placeholder became one child: the second twin's row updated
the first twin's record (its given name and sex replaced), and the second twin had no record at all.
"""

import nhs_number
import pytest

from children.models import Child
from children.selectors import child_details
from feeds.models import FeedRow, RowOutcome
from feeds.tests.factories import feed_row, health_source
from linkage.tests.test_linking import ingest

REFUSED = "nhs_number is a placeholder or from a range never issued"


def _valid(start: str) -> str:
    """The first valid NHS number from `start` (9 digits) on, written 3-3-4."""
    body = int(start)
    while (check := nhs_number.calculate_checksum(f"{body:09d}")) is None or check > 9:
        body += 1
    number = f"{body:09d}{check}"
    assert nhs_number.is_valid(number)
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def test_twins_fed_with_one_placeholder_nhs_number_stay_two_children(world):
    source = health_source(world)
    isla = feed_row(
        record_id="T1",
        given_names="Isla",
        family_name="Fairweather",
        date_of_birth="2018-05-05",
        gender="female",
        nhs_number="000 000 0000",
    )
    rowan = {**isla, "record_id": "T2", "given_names": "Rowan", "gender": "male"}
    ingest(source, [{**isla, "nhs_number": ""}], "b1")
    report = ingest(source, [isla, rowan], "b2")
    assert [(r.row_number, r.reason) for r in report.rejected] == [(1, REFUSED), (2, REFUSED)]
    assert [child_details(child).given_names for child in Child.objects.all()] == ["Isla"]
    assert not FeedRow.objects.filter(outcome=RowOutcome.UPDATED).exists()


@pytest.mark.parametrize(
    "number",
    [
        "000 000 0000",
        "111 111 1111",
        "444 444 4444",
        "999 999 9999",
        _valid("512345678"),  # reserved, not to be issued
        _valid("871234567"),  # unallocated
        _valid("312000000"),  # unallocated
        _valid("000001234"),  # unallocated
    ],
)
def test_a_placeholder_or_never_issued_nhs_number_is_refused(world, number):
    report = ingest(health_source(world), [feed_row(nhs_number=number)])
    assert [(r.row_number, r.reason) for r in report.rejected] == [(1, REFUSED)]
    assert not Child.objects.exists()


@pytest.mark.parametrize("number", ["943 476 5919", "401 023 2137", _valid("612345678"), _valid("010118123")])
def test_numbers_of_the_issuing_ranges_and_the_test_range_still_go_in(world, number):
    report = ingest(health_source(world), [feed_row(nhs_number=number)])
    assert report.counts["created"] == 1
