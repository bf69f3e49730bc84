"""An accepted correction survives feed updates that repeat the value it replaced; a new value wins."""

from children.models import Child
from children.selectors import child_details
from corrections.fields import field_for
from corrections.services import correction_accept, correction_raise
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_ingest import ingest


def _only_child() -> Child:
    return Child.objects.select_related("data_key").get()


NEW_ADDRESS = {
    "status": "known",
    "lines": ["8 Fernbank Way", "Leeds"],
    "postcode": "LS2 9JT",
    "return_intention": None,
}


def test_a_feed_repeating_the_replaced_value_does_not_undo_the_correction_but_a_new_value_does(world):
    source = health_source(world)
    ingest(source, [feed_row()], batch_id="b1")
    child = _only_child()
    correction = correction_raise(
        child=child, field=field_for("address"), value=NEW_ADDRESS, reason="Moved in May", by=world.alice
    )
    correction_accept(correction=correction, by=world.lena)
    assert child_details(_only_child()).address.postcode == "LS2 9JT"
    ingest(source, [feed_row()], batch_id="b2")  # the source sends its old, wrong address again
    assert child_details(_only_child()).address.postcode == "LS2 9JT"
    moved = feed_row(address_line="4 Harrow Close", postcode="LS6 1AA")
    ingest(source, [moved], batch_id="b3")  # later the source has a new address: the child moved again
    assert Child.objects.count() == 1
    assert child_details(_only_child()).address.postcode == "LS6 1AA"


def test_fields_no_feed_corrected_are_untouched_by_feed_updates(world):
    source = health_source(world)
    ingest(source, [feed_row()], batch_id="b1")
    child = _only_child()
    correction = correction_raise(
        child=child,
        field=field_for("gender"),
        value="not_specified",
        reason="Told by the family",
        by=world.alice,
    )
    correction_accept(correction=correction, by=world.lena)
    ingest(source, [feed_row()], batch_id="b2")
    assert child_details(_only_child()).gender == "not_specified"


def _address(postcode: str, line: str) -> dict:
    return {"status": "known", "lines": [line, "Leeds"], "postcode": postcode, "return_intention": None}


def test_a_second_correction_is_not_undone_by_a_feed_repeating_the_first_wrong_value(world):
    """X corrected to Y, then Y to Z: the source sending X again must not bring X back."""
    source = health_source(world)
    ingest(source, [feed_row()], batch_id="b1")  # the source's wrong address, LS2 7EY
    for postcode, line in (("LS2 9JT", "8 Fernbank Way"), ("LS2 9JU", "9 Fernbank Way")):
        correction = correction_raise(
            child=_only_child(),
            field=field_for("address"),
            value=_address(postcode, line),
            reason="Told",
            by=world.alice,
        )
        correction_accept(correction=correction, by=world.lena)
    assert child_details(_only_child()).address.postcode == "LS2 9JU"
    ingest(source, [feed_row()], batch_id="b2")
    assert child_details(_only_child()).address.postcode == "LS2 9JU"


CENSUS_FIELDS = ("given_names", "family_name", "date_of_birth", "gender", "postcode")
LINES_FIELDS = ("given_names", "family_name", "date_of_birth", "gender", "address_line", "town")


def test_a_postcode_only_source_repeating_the_replaced_postcode_does_not_undo_the_correction(world):
    health = health_source(world)
    census = health_source(world, code="census", fields=CENSUS_FIELDS)
    ingest(health, [feed_row()], batch_id="h1")  # 3 Mill Street, Leeds, LS2 7EY (wrong)
    census_row = feed_row(record_id="C-1", nhs_number=None, address_line=None, town=None, postcode="LS2 7EY")
    ingest(census, [census_row], batch_id="c1")  # the census says the same wrong postcode
    assert Child.objects.count() == 1
    correction = correction_raise(
        child=_only_child(),
        field=field_for("address"),
        value=NEW_ADDRESS,
        reason="Moved in May",
        by=world.alice,
    )
    correction_accept(correction=correction, by=world.lena)
    assert child_details(_only_child()).address.postcode == "LS2 9JT"
    ingest(census, [census_row], batch_id="c2")  # again exactly what it said: the postcode replaced
    assert Child.objects.count() == 1
    address = child_details(_only_child()).address
    assert (address.lines, address.postcode) == (["8 Fernbank Way", "Leeds"], "LS2 9JT")
    moved = feed_row(record_id="C-1", nhs_number=None, address_line=None, town=None, postcode="LS6 1AA")
    ingest(census, [moved], batch_id="c3")  # a postcode it never said before: the census speaks again
    assert child_details(_only_child()).address.postcode == "LS6 1AA"


def test_a_lines_only_source_repeating_the_replaced_lines_does_not_undo_the_correction(world):
    health = health_source(world)
    lines_only = health_source(world, code="lines", fields=LINES_FIELDS)
    ingest(health, [feed_row()], batch_id="h1")
    lines_row = feed_row(record_id="L-1", nhs_number=None, postcode=None)  # 3 Mill Street, Leeds
    ingest(lines_only, [lines_row], batch_id="l1")
    correction = correction_raise(
        child=_only_child(),
        field=field_for("address"),
        value=NEW_ADDRESS,
        reason="Moved in May",
        by=world.alice,
    )
    correction_accept(correction=correction, by=world.lena)
    ingest(lines_only, [lines_row], batch_id="l2")
    address = child_details(_only_child()).address
    assert (address.lines, address.postcode) == (["8 Fernbank Way", "Leeds"], "LS2 9JT")
