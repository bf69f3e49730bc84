from matching.blocking import QueryKeys
from matching.engine import find
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
