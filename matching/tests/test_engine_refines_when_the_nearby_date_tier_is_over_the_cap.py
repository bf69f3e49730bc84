"""A dated search whose nearby-date tier is over the candidate cap, with nothing offered from the typed
values, asks to refine: it never answers "no children found" for a child it did not look at.

Issue 9: the 500-candidate cap "must hold ... or the search must ask to refine rather than truncate".
`matching.blocking.candidates_within` leaves a tier out whole when it would pass the cap; the engine
turned that into "refine" only for a search without a date (`names_only`), so a common family name with a
mistyped date (the nearby-date tier of a Smith at national density is about 40 dates x 18 children) was
answered "no children found", the most dangerous answer. The rule is the names-only one: refine when the
tier was left out and nothing was offered (neither a match nor a close call) from the tiers read.
"""

from matching.blocking import NEARBY_DATES, QueryKeys, candidates_within
from matching.engine import find
from matching.scoring import MatchScore

# the typed date: children 0-2; the nearby dates: 10 children; the name-only tier: 2 more
BLOCKS = {"typed": {0, 1, 2}, "nearby": set(range(100, 110)), "names": {200, 201}}
KEYS = QueryKeys(exact=frozenset({"typed"}), widened=frozenset({"nearby"}), broad=frozenset({"names"}))


def _lookup(tier: frozenset[str]) -> set[int]:
    return set().union(*(BLOCKS[key] for key in tier))


def _scores(match: int | None = None, close: int | None = None):
    def score_ids(ids):
        return [
            (
                i,
                MatchScore(weight=20.0, verdict="match")
                if i == match
                else MatchScore(weight=12.0, verdict="close")
                if i == close
                else MatchScore(weight=-5.0),
            )
            for i in ids
        ]

    return score_ids


def test_candidates_within_says_which_tier_it_left_out_for_the_cap():
    over = candidates_within(KEYS, _lookup, cap=5)
    assert (over.found, over.tiers_used, over.over_cap, over.refine) == ({0, 1, 2}, 1, NEARBY_DATES, False)
    assert candidates_within(KEYS, _lookup, cap=13).over_cap == 2  # the name-only tier
    assert candidates_within(KEYS, _lookup, cap=15).over_cap is None
    assert candidates_within(KEYS, _lookup, cap=2).over_cap is None  # refine: nothing was read


def test_nothing_offered_and_the_nearby_dates_left_out_asks_to_refine():
    found = find(KEYS, lookup=_lookup, score_ids=_scores(), cap=5)
    assert found.refine and not found.offers.items and not found.offers.ambiguous
    assert found.candidates == 3  # the typed date's children were looked at
    assert not found.near_miss


def test_a_match_at_the_typed_date_is_offered_though_the_nearby_dates_were_left_out():
    found = find(KEYS, lookup=_lookup, score_ids=_scores(match=1), cap=5)
    assert not found.refine and [i for i, _ in found.offers.items] == [1]


def test_a_close_call_at_the_typed_date_is_offered_as_the_names_only_rule_offers_it():
    found = find(KEYS, lookup=_lookup, score_ids=_scores(close=2), cap=5)
    assert not found.refine and [i for i, _ in found.offers.items] == [2]


def test_within_the_cap_the_nearby_dates_are_looked_at_and_nobody_is_nobody():
    found = find(KEYS, lookup=_lookup, score_ids=_scores(), cap=15)
    assert not found.refine and found.candidates == 15
    assert find(KEYS, lookup=_lookup, score_ids=_scores(match=105), cap=15).offers.items[0][0] == 105


def test_only_the_name_only_tier_over_the_cap_with_a_date_typed_is_still_no_one():
    """With a date typed the name-only tier is a widening for a child whose date is wholly wrong: at
    national scale it is over the cap for most searches with a given name, so it does not ask to refine."""
    found = find(KEYS, lookup=_lookup, score_ids=_scores(), cap=13)
    assert not found.refine and found.candidates == 13
