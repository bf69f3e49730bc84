"""Each part of an address (street, town, postcode) is displayed from the most trusted source that stated
that part. A part a source may not supply is no statement of that source: it never hides what a less
trusted source says of that part (a review's finding, session 36). A row giving an address states every
part its source may supply, those it left empty as not known (DECISIONS section 7: a moved child is never
shown the old street with the new postcode). Statements stored before parts were kept apart (the whole
address, held parts filled in) are read as the parts the source is entitled to."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from children.models import Child
from children.records import Address
from children.selectors import child_details
from feeds.models import FieldProvenance
from feeds.provenance import child_update_from_feed
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source
from feeds.validation import row_validate
from vault.sealing import Sealer

POSTCODE_ONLY = ["given_names", "family_name", "date_of_birth", "gender", "postcode"]
TOWN_ONLY = ["given_names", "family_name", "date_of_birth", "gender", "town"]


def _address() -> Address:
    return child_details(Child.objects.select_related("data_key").get()).address


def _statement_stored_before(source_code: str, address: Address) -> None:
    """Rewrite a source's address statement in the form kept before: the whole address as one value."""
    with transaction.atomic():
        row = FieldProvenance.objects.select_related("child__data_key").get(
            field="address", source__code=source_code
        )
        Sealer(row.child.data_key).seal(row, "value", address.to_json())
        row.save(update_fields=["value"])


def test_a_postcode_only_source_creating_the_child_does_not_hide_the_street_and_town_of_another(world):
    census = health_source(world, code="census", fields=POSTCODE_ONLY, trust_rank=10)
    health = health_source(world, code="health", trust_rank=100)
    census_row = feed_row(nhs_number=None, address_line=None, town=None)  # LS2 7EY only
    assert feed_rows_ingest(census, [census_row], batch_id="c1").counts["created"] == 1
    report = feed_rows_ingest(health, [feed_row(nhs_number=None, postcode="LS2 7EZ")], batch_id="h1")
    assert report.counts["updated"] == 1, report
    address = _address()
    assert address.lines == ["3 Mill Street", "Leeds"]  # nobody more trusted stated them
    assert address.postcode == "LS2 7EY"  # the census, more trusted, stated the postcode


def test_a_part_a_source_left_blank_is_stated_unknown_over_a_less_trusted_sources_word(world):
    first = health_source(world, code="first", trust_rank=10)
    second = health_source(world, code="second", trust_rank=100)
    feed_rows_ingest(first, [feed_row(town=None)], batch_id="f1")  # street and postcode, no town
    assert _address().lines == ["3 Mill Street"]
    feed_rows_ingest(
        second, [feed_row(address_line="3 Mill St", town="Leeds", postcode="LS2 7EZ")], batch_id="s1"
    )
    address = _address()
    assert (address.lines, address.postcode) == (["3 Mill Street"], "LS2 7EY")


def test_a_part_left_blank_later_takes_back_what_the_source_said_of_it_before(world):
    first = health_source(world, code="first", trust_rank=10)
    second = health_source(world, code="second", trust_rank=100)
    feed_rows_ingest(first, [feed_row()], batch_id="f1")  # 3 Mill Street, Leeds, LS2 7EY
    feed_rows_ingest(second, [feed_row(town="Otley")], batch_id="s1")
    assert _address().lines == ["3 Mill Street", "Leeds"]
    feed_rows_ingest(first, [feed_row(address_line="4 Mill Street", town=None)], batch_id="f2")
    # The first source's new address has no town: its word is that the town is not known, over "Otley".
    assert _address().lines == ["4 Mill Street"]


def test_a_postcode_alone_from_a_source_that_may_send_the_street_never_shows_the_old_street(world):
    health = health_source(world)
    feed_rows_ingest(health, [feed_row()], batch_id="h1")
    feed_rows_ingest(health, [feed_row(address_line=None, town=None, postcode="LS6 1AA")], batch_id="h2")
    address = _address()
    assert (address.lines, address.postcode) == ([], "LS6 1AA")


def test_a_postcode_only_statement_stored_before_is_read_as_the_postcode_alone(world):
    census = health_source(world, code="census", fields=POSTCODE_ONLY, trust_rank=10)
    health = health_source(world, code="health", trust_rank=100)
    feed_rows_ingest(census, [feed_row(nhs_number=None, address_line=None, town=None)], batch_id="c1")
    _statement_stored_before("census", Address(lines=[], postcode="LS2 7EY"))
    feed_rows_ingest(health, [feed_row(nhs_number=None, postcode="LS2 7EZ")], batch_id="h1")
    address = _address()
    assert (address.lines, address.postcode) == (["3 Mill Street", "Leeds"], "LS2 7EY")


def test_a_town_only_statement_stored_before_with_the_held_street_filled_in_speaks_for_the_town_alone(world):
    towns = health_source(world, code="towns", fields=TOWN_ONLY, trust_rank=10)
    health = health_source(world, code="health", trust_rank=100)
    feed_rows_ingest(health, [feed_row(address_line="9 Oak Road", postcode="LS6 1AA")], batch_id="h1")
    feed_rows_ingest(
        towns, [feed_row(record_id="T-1", nhs_number=None, address_line=None, postcode=None)], batch_id="t1"
    )
    # Before, a town-only source's statement carried the street and postcode held then.
    _statement_stored_before("towns", Address(lines=["9 Oak Road", "Leeds"], postcode="LS6 1AA"))
    feed_rows_ingest(health, [feed_row(town="Otley")], batch_id="h2")  # moved: 3 Mill Street, LS2 7EY
    address = _address()
    assert (address.lines, address.postcode) == (["3 Mill Street", "Leeds"], "LS2 7EY")


def test_a_newer_word_on_one_part_stands_against_an_older_statement_carried_out_late(world):
    """A row carried out late (a review decided days after) restates only what is older than the source's
    word since: here nothing, the source having since given the postcode and said the street not known."""
    health = health_source(world)
    feed_rows_ingest(health, [feed_row()], batch_id="h1")
    child = Child.objects.select_related("data_key").get()
    late = row_validate(
        feed_row(address_line="5 Mill Street", postcode="LS2 9JT"), today=child.created_at.date()
    )
    feed_rows_ingest(health, [feed_row(address_line=None, town=None, postcode="LS6 1AA")], batch_id="h2")
    with transaction.atomic():
        child_update_from_feed(
            child=child, record=late, source=health, stated_at=timezone.now() - timedelta(days=2)
        )
    address = _address()
    assert address.postcode == "LS6 1AA"
    assert address.lines == []


def test_a_lone_line_stored_before_from_a_source_entitled_to_both_is_read_as_the_street(world):
    first = health_source(world, code="first", trust_rank=100)
    towns = health_source(world, code="towns", fields=TOWN_ONLY, trust_rank=10)  # more trusted for towns
    feed_rows_ingest(first, [feed_row(town=None)], batch_id="f1")
    _statement_stored_before("first", Address(lines=["3 Mill Street"], postcode="LS2 7EY"))
    feed_rows_ingest(
        towns, [feed_row(record_id="T-1", nhs_number=None, address_line=None, postcode=None)], batch_id="t1"
    )
    address = _address()
    assert (address.lines, address.postcode) == (["3 Mill Street", "Leeds"], "LS2 7EY")
