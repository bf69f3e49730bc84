"""National re-linkage links what the one-record engine links and never what it would not: a pair the
engine accepts (`matching.scoring.score` says "match", and `linkage.linking.link_decide` sends it to
nobody) shares a blocking rule and is clustered; a pair the engine calls "non" because the family names
differ outright (`matching.scoring.verdict`) is never clustered, whatever the other fields sum to."""

from datetime import date

import pytest

from linkage.linking import possible_sibling
from linkage.moves import moved_and_more
from linkage.national import national_relink
from linkage.tests.relink_records import BORN, record_identity, relink_record
from matching.scoring import score

pytest.importorskip("splink")


def _engine_links(left, right):
    match = score(record_identity(left), record_identity(right))
    return match.verdict == "match" and not possible_sibling(match) and not moved_and_more(match)


LINKED = {
    "given name mistyped, a digit of the birthday out, moved within the district": relink_record(
        "b", "Olivre", "Ramsbottom", dob=date(2015, 3, 14), postcode="LS1 6BB"
    ),
    "no given name, a digit of the birthday out, moved within the district": relink_record(
        "b", None, "Ramsbottom", dob=date(2015, 3, 14), postcode="LS1 6BB"
    ),
    "a familiar given name, a digit of the birthday out, moved within the district": relink_record(
        "b", "Ollie", "Ramsbottom", dob=date(2015, 3, 14), postcode="LS1 6BB"
    ),
    "a familiar given name, the year of birth out, moved within the district": relink_record(
        "b", "Ollie", "Ramsbottom", dob=date(2014, 3, 4), postcode="LS1 6BB"
    ),
    "a familiar given name, day and month swapped, no postcode": relink_record(
        "b", "Ollie", "Ramsbottom", dob=date(2015, 4, 3), postcode=None
    ),
    "given name mistyped, day and month swapped, no postcode": relink_record(
        "b", "Olivre", "Ramsbottom", dob=date(2015, 4, 3), postcode=None
    ),
}


@pytest.mark.parametrize("difference", LINKED)
def test_a_pair_the_engine_links_is_linked_by_national_relink(difference):
    left, right = relink_record("a", "Oliver", "Ramsbottom"), LINKED[difference]
    assert _engine_links(left, right), "the engine links this pair"
    clusters = national_relink([left, right])
    assert clusters["a"] == clusters["b"]


@pytest.mark.parametrize("born_right", [BORN, date(2015, 3, 14)])
def test_a_pair_the_engine_never_links_is_not_clustered_by_national_relink(born_right):
    """Two foster children called Oliver in one home, family names that differ outright: the engine's
    verdict is "non" (not anchored), so a feed row like this is a new child, and a batch keeps them two."""
    left = relink_record("a", "Oliver", "Ramsbottom")
    right = relink_record("b", "Oliver", "Whitehead", dob=born_right)
    assert score(record_identity(left), record_identity(right)).verdict == "non"
    clusters = national_relink([left, right])
    assert clusters["a"] != clusters["b"]


@pytest.mark.parametrize(("given", "sex"), [("Oliver", "male"), ("Muhammad", "male"), ("Amelia", "female")])
def test_two_children_of_one_name_born_one_day_in_one_district_stay_two(given, sex):
    """Two families in one postcode district, each with a child of the same given name and sex born the
    same day: the engine never links them (family names differ outright); nationally thousands of pairs."""
    left = relink_record("a", given, "Ramsbottom", sex)
    right = relink_record("b", given, "Whitehead", sex, postcode="LS1 6BB")
    assert score(record_identity(left), record_identity(right)).verdict == "non"
    clusters = national_relink([left, right])
    assert clusters["a"] != clusters["b"]


def test_names_typed_the_other_way_round_are_still_linked():
    """The engine reads given and family names typed in each other's boxes as that slip (`score` takes
    the swapped reading), so a family name that differs as typed but agrees crosswise is not "non"."""
    left = relink_record("a", "Amelia", "Thornton", "female")
    right = relink_record("b", "Thornton", "Amelia", "female")
    assert _engine_links(left, right), "the engine links this pair"
    clusters = national_relink([left, right])
    assert clusters["a"] == clusters["b"]
