"""A cell holding only white space is blank everywhere: to the row's validation, to what the row is said to
supply, and to the entitlement check, so it is neither a value nor a field outside the source's entitlement."""

from datetime import date

import pytest

from children.models import Child
from children.selectors import child_details
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source
from feeds.validation import cell_blank, row_fields, row_validate

FIELDS = ("given_names", "family_name", "date_of_birth", "postcode")
BLANK_LOOKING = ["", "   ", "\t", " \u00a0 ", "\r\n"]


def test_a_blank_looking_cell_is_not_a_field_outside_the_entitlement(world):
    source = health_source(world, code="census", fields=FIELDS)
    row = feed_row(nhs_number=None, gender=None, address_line=None, town="   ")
    report = feed_rows_ingest(source, [row])
    assert report.counts["created"] == 1, report.rejected
    assert Child.objects.count() == 1


@pytest.mark.parametrize("cell", BLANK_LOOKING, ids=repr)
def test_validation_and_the_fields_a_row_supplies_agree_on_a_blank_looking_cell(cell):
    row = feed_row(town=cell, gender=cell, nhs_number=cell)
    assert cell_blank(cell)
    assert not {"town", "gender", "nhs_number"} & row_fields(row)
    record = row_validate(row, today=date(2026, 12, 1))
    assert record.address_lines == ("3 Mill Street",)
    assert (record.gender, record.nhs_number) == (None, None)
    assert not {"town", "gender", "nhs_number"} & record.provided


@pytest.mark.parametrize("cell", ["Leeds", " Leeds ", 0, 7])
def test_a_cell_with_a_value_is_not_blank(cell):
    assert not cell_blank(cell)
    assert "town" in row_fields(feed_row(town=cell))


def test_a_blank_looking_town_is_read_as_an_empty_one(world):
    """The same statement as an empty cell: the source's new address has no town (DECISIONS section 7)."""
    health = health_source(world)
    feed_rows_ingest(health, [feed_row()], batch_id="h1")
    feed_rows_ingest(health, [feed_row(address_line="4 Mill Street", town="  ")], batch_id="h2")
    spaced = child_details(Child.objects.select_related("data_key").get()).address
    feed_rows_ingest(health, [feed_row(address_line="4 Mill Street", town=None)], batch_id="h3")
    empty = child_details(Child.objects.select_related("data_key").get()).address
    assert spaced.lines == empty.lines == ["4 Mill Street"]
