from collections.abc import Callable
from datetime import date

from matching.blocking import QueryKeys
from matching.engine import find, name_only
from matching.identity import Identity
from matching.scoring import MatchScore

BLOCKS = {"typed": {1}, "near": {2}, "names": {3, 4}}
KEYS = QueryKeys(exact=frozenset({"typed"}), widened=frozenset({"near"}), broad=frozenset({"names"}))


def _lookup(keys: frozenset[str]) -> set[int]:
    return {i for key in keys for i in BLOCKS[key]}


def test_the_name_only_tier_is_not_searched_when_a_narrower_tier_matched():
    seen: list[int] = []

    def score_ids(ids):
        seen.extend(ids)
        return [
            (i, MatchScore(weight=20.0 if i == 1 else 0.0, verdict="match" if i == 1 else "non")) for i in ids
        ]

    found = find(KEYS, lookup=_lookup, score_ids=score_ids, cap=10)
    assert [i for i, _ in found.offers.items] == [1]
    assert sorted(seen) == [1, 2]


def test_the_name_only_tier_is_searched_when_nothing_narrower_matched():
    def score_ids(ids):
        return [
            (i, MatchScore(weight=20.0 if i == 4 else 0.0, verdict="match" if i == 4 else "non")) for i in ids
        ]

    found = find(KEYS, lookup=_lookup, score_ids=score_ids, cap=10)
    assert [i for i, _ in found.offers.items] == [4]
    assert found.candidates == 4


def test_typed_values_over_the_cap_ask_to_refine_without_scoring():
    def score_ids(ids):
        raise AssertionError("nothing may be decrypted or scored")

    assert find(KEYS, lookup=lambda keys: set(range(20)), score_ids=score_ids, cap=10).refine


def test_each_tier_is_looked_up_once_even_when_widening():
    asked: list[frozenset[str]] = []

    def lookup(keys: frozenset[str]) -> set[int]:
        asked.append(keys)
        return _lookup(keys)

    find(KEYS, lookup=lookup, score_ids=lambda ids: [(i, MatchScore(weight=0.0)) for i in ids], cap=10)
    assert len(asked) == len(set(asked)) == 3


def _names_only_blocks(narrow: int, broad: int) -> tuple[QueryKeys, Callable[[frozenset[str]], set[int]]]:
    """A search's typed-names tier and its name-only tier (no date typed, so nothing widened)."""
    blocks = {"names typed": set(range(narrow)), "name-only": set(range(1000, 1000 + broad))}
    keys = QueryKeys(exact=frozenset({"names typed"}), widened=frozenset(), broad=frozenset({"name-only"}))
    return keys, lambda tier: set().union(*(blocks[key] for key in tier))


def _scores(close: int = 0):
    """The first `close` candidates too close to call, the rest no match."""
    return lambda ids: [
        (i, MatchScore(weight=12.0, verdict="close") if i < close else MatchScore(weight=0.0)) for i in ids
    ]


def test_a_names_only_search_whose_name_only_tier_is_over_the_cap_asks_to_refine_rather_than_find_no_one():
    """The child might be among the similar names it could not look at: "no children found" would be a lie."""
    keys, lookup = _names_only_blocks(3, 10)

    found = find(keys, lookup=lookup, score_ids=_scores(), cap=10, names_only=True)
    assert found.refine and found.offers.items == [] and not found.offers.ambiguous
    # With a date typed the same blocks answer "no one": there the name-only tier is only a widening.
    assert not find(keys, lookup=lookup, score_ids=_scores(), cap=10).refine
    # Within the cap, the name-only tier is looked at, and the answer is what its children score.
    assert not find(keys, lookup=lookup, score_ids=_scores(), cap=13, names_only=True).refine


def test_a_names_only_search_still_offers_its_close_calls_when_the_name_only_tier_is_over_the_cap():
    keys, lookup = _names_only_blocks(3, 10)
    found = find(keys, lookup=lookup, score_ids=_scores(close=1), cap=10, names_only=True)
    assert not found.refine and [i for i, _ in found.offers.items] == [0]


def test_a_names_only_search_with_too_many_close_calls_still_says_so_when_the_name_only_tier_is_over_the_cap():
    keys, lookup = _names_only_blocks(3, 10)
    found = find(keys, lookup=lookup, score_ids=_scores(close=3), cap=10, names_only=True)
    assert found.refine and found.offers.ambiguous


def test_a_search_is_names_only_without_a_date_or_a_full_postcode():
    assert name_only(Identity(family_names=("Smith",), given_names=("Olivia",), gender="female"))
    assert name_only(Identity(family_names=("Smith",), postcodes=("LS6 2",)))
    assert not name_only(Identity(family_names=("Smith",), date_of_birth=date(2014, 1, 20)))
    assert not name_only(Identity(family_names=("Smith",), postcodes=("LS6 2QT",)))
