"""National re-linkage links what the one-record engine links and never what it would not: a pair the
engine accepts (`matching.scoring.score` says "match", and `linkage.linking.link_decide` sends it to
nobody) shares a blocking rule and is clustered; a pair the engine calls "non" because the family names
differ outright (`matching.scoring.verdict`) is never clustered, whatever the other fields sum to."""

from datetime import date

import pytest

from linkage.linking import possible_sibling
from linkage.moves import moved_and_more
from linkage.national import national_relink
from matching.identity import Identity
from matching.scoring import score

pytest.importorskip("splink")

BORN = date(2015, 3, 4)


def _record(record_id, given, family, gender="male", dob=BORN, postcode="LS1 4AP"):
    return {
        "record_id": record_id,
        "given": given,
        "family": family,
        "gender": gender,
        "dob": dob,
        "postcode": postcode,
    }


def _identity(record):
    return Identity(
        family_names=(record["family"],),
        given_names=(record["given"],) if record["given"] else (),
        date_of_birth=record["dob"],
        gender=record["gender"],
        postcodes=(record["postcode"],) if record["postcode"] else (),
    )


def _engine_links(left, right):
    match = score(_identity(left), _identity(right))
    return match.verdict == "match" and not possible_sibling(match) and not moved_and_more(match)


LINKED = {
    "given name mistyped, a digit of the birthday out, moved within the district": _record(
        "b", "Olivre", "Ramsbottom", dob=date(2015, 3, 14), postcode="LS1 6BB"
    ),
    "no given name, a digit of the birthday out, moved within the district": _record(
        "b", None, "Ramsbottom", dob=date(2015, 3, 14), postcode="LS1 6BB"
    ),
    "a familiar given name, a digit of the birthday out, moved within the district": _record(
        "b", "Ollie", "Ramsbottom", dob=date(2015, 3, 14), postcode="LS1 6BB"
    ),
    "a familiar given name, the year of birth out, moved within the district": _record(
        "b", "Ollie", "Ramsbottom", dob=date(2014, 3, 4), postcode="LS1 6BB"
    ),
    "a familiar given name, day and month swapped, no postcode": _record(
        "b", "Ollie", "Ramsbottom", dob=date(2015, 4, 3), postcode=None
    ),
    "given name mistyped, day and month swapped, no postcode": _record(
        "b", "Olivre", "Ramsbottom", dob=date(2015, 4, 3), postcode=None
    ),
}


@pytest.mark.parametrize("difference", LINKED)
def test_a_pair_the_engine_links_is_linked_by_national_relink(difference):
    left, right = _record("a", "Oliver", "Ramsbottom"), LINKED[difference]
    assert _engine_links(left, right), "the engine links this pair"
    clusters = national_relink([left, right])
    assert clusters["a"] == clusters["b"]


@pytest.mark.parametrize("born_right", [BORN, date(2015, 3, 14)])
def test_a_pair_the_engine_never_links_is_not_clustered_by_national_relink(born_right):
    """Two foster children called Oliver in one home, family names that differ outright: the engine's
    verdict is "non" (not anchored), so a feed row like this is a new child, and a batch keeps them two."""
    left = _record("a", "Oliver", "Ramsbottom")
    right = _record("b", "Oliver", "Whitehead", dob=born_right)
    assert score(_identity(left), _identity(right)).verdict == "non"
    clusters = national_relink([left, right])
    assert clusters["a"] != clusters["b"]


@pytest.mark.parametrize(("given", "sex"), [("Oliver", "male"), ("Muhammad", "male"), ("Amelia", "female")])
def test_two_children_of_one_name_born_one_day_in_one_district_stay_two(given, sex):
    """Two families in one postcode district, each with a child of the same given name and sex born the
    same day: the engine never links them (family names differ outright); nationally thousands of pairs."""
    left = _record("a", given, "Ramsbottom", sex)
    right = _record("b", given, "Whitehead", sex, postcode="LS1 6BB")
    assert score(_identity(left), _identity(right)).verdict == "non"
    clusters = national_relink([left, right])
    assert clusters["a"] != clusters["b"]


def test_names_typed_the_other_way_round_are_still_linked():
    """The engine reads given and family names typed in each other's boxes as that slip (`score` takes
    the swapped reading), so a family name that differs as typed but agrees crosswise is not "non"."""
    left = _record("a", "Amelia", "Thornton", "female")
    right = _record("b", "Thornton", "Amelia", "female")
    assert _engine_links(left, right), "the engine links this pair"
    clusters = national_relink([left, right])
    assert clusters["a"] == clusters["b"]
