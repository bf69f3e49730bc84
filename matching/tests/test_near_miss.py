"""A search with no offers says "no close match" when a candidate it did not offer could still be the child.

"No children found" reads as "nobody else is involved", so it is kept for searches where every candidate
disagrees outright on something typed (issue #9).
"""

from datetime import date

from matching.blocking import QueryKeys
from matching.engine import find
from matching.identity import Identity
from matching.scoring import MatchScore, near_miss, score

CHILD = Identity(
    family_names=("Thornton",),
    given_names=("Amelia",),
    date_of_birth=date(2015, 3, 4),
    gender="female",
    postcodes=("LS6 2AB",),
)


def _family_and_postcode(postcode: str) -> Identity:
    return Identity(family_names=("Thornton",), postcodes=(postcode,))


def test_a_child_who_moved_within_the_postcode_district_typed_is_a_near_miss_not_an_offer():
    match = score(_family_and_postcode("LS6 9ZZ"), CHILD)
    assert match.levels == {"family_name": "exact", "postcode": "district"}
    assert match.verdict == "non"
    assert near_miss(match)


def test_a_child_in_another_postcode_district_is_not_a_near_miss():
    assert not near_miss(score(_family_and_postcode("M1 1AA"), CHILD))


def test_a_shielded_child_scored_without_its_address_is_never_a_near_miss_on_a_postcode():
    match = score(_family_and_postcode("LS6 9ZZ"), CHILD, use_hidden=False)
    assert "postcode" not in match.levels
    assert not near_miss(match)


def test_a_misspelt_given_name_without_a_date_is_a_near_miss():
    query = Identity(family_names=("Thornton",), given_names=("Amlie",), gender="female")
    match = score(query, CHILD)
    assert match.verdict == "non"
    assert near_miss(match)


def test_the_other_sex_rules_a_child_out():
    query = Identity(family_names=("Thornton",), given_names=("Amlie",), gender="male")
    assert not near_miss(score(query, CHILD))


def test_a_family_name_alone_is_never_a_near_miss():
    assert not near_miss(MatchScore(weight=9.0, levels={"family_name": "exact"}, verdict="non"))


def test_an_offered_or_weak_candidate_is_not_a_near_miss():
    levels = {"family_name": "exact", "postcode": "district"}
    assert not near_miss(MatchScore(weight=15.0, levels=levels, verdict="close"))
    assert not near_miss(MatchScore(weight=5.9, levels=levels, verdict="non"))
    assert near_miss(MatchScore(weight=6.0, levels=levels, verdict="non"))


KEYS = QueryKeys(exact=frozenset({"typed"}), widened=frozenset())
NEAR = MatchScore(weight=12.0, levels={"family_name": "exact", "postcode": "district"}, verdict="non")
FAR = MatchScore(weight=12.0, levels={"family_name": "exact", "postcode": "else"}, verdict="non")
OFFER = MatchScore(weight=20.0, levels={"family_name": "exact", "postcode": "full"}, verdict="match")
CLOSE = MatchScore(weight=11.0, levels={"family_name": "exact", "postcode": "full"}, verdict="close")


def _find(*scores: MatchScore):
    return find(
        KEYS,
        lookup=lambda keys: set(range(len(scores))),
        score_ids=lambda ids: [(i, scores[i]) for i in ids],
        cap=10,
    )


def test_a_search_with_no_offers_and_a_near_miss_says_so():
    found = _find(NEAR, FAR)
    assert not found.offers.items and not found.refine
    assert found.near_miss


def test_a_search_whose_candidates_all_disagree_outright_finds_no_one():
    found = _find(FAR, FAR)
    assert not found.offers.items and not found.near_miss


def test_a_search_with_an_offer_is_not_a_near_miss():
    found = _find(OFFER, NEAR)
    assert [i for i, _ in found.offers.items] == [0]
    assert not found.near_miss


def test_a_search_asked_to_refine_among_close_calls_is_not_a_near_miss():
    found = _find(CLOSE, CLOSE, CLOSE, NEAR)
    assert found.refine and not found.near_miss
