"""The engine tells a "refine" that more detail cannot help apart from one it can.

The nearby-date tier is keyed by the family name's sound code and the dates a keying mistake from the typed
date: no given name, gender or postcode makes it smaller. Over the cap with nothing offered at the typed
date, `find` still answers refine (the search was not answered) but says why (`nearby_dates_unchecked`),
so practitioner search says "check the date of birth" rather than "add detail" (children.search).
"""

from matching.blocking import QueryKeys
from matching.engine import find
from matching.scoring import MatchScore

BLOCKS = {"typed": {0, 1, 2}, "nearby": set(range(100, 110)), "names": {200, 201}}
DATED = QueryKeys(exact=frozenset({"typed"}), widened=frozenset({"nearby"}), broad=frozenset({"names"}))
NAMES_ONLY = QueryKeys(exact=frozenset({"typed"}), widened=frozenset(), broad=frozenset({"names"}))


def _lookup(tier: frozenset[str]) -> set[int]:
    return set().union(*(BLOCKS[key] for key in tier))


def _nobody(ids):
    return [(i, MatchScore(weight=-5.0)) for i in ids]


def test_the_nearby_dates_over_the_cap_with_nobody_at_the_typed_date_says_so():
    found = find(DATED, lookup=_lookup, score_ids=_nobody, cap=5)
    assert found.refine and found.nearby_dates_unchecked


def test_the_typed_tier_over_the_cap_is_an_ordinary_refine():
    found = find(DATED, lookup=_lookup, score_ids=_nobody, cap=2)
    assert found.refine and not found.nearby_dates_unchecked


def test_a_names_only_search_over_the_cap_is_an_ordinary_refine():
    found = find(NAMES_ONLY, lookup=_lookup, score_ids=_nobody, cap=4, names_only=True)
    assert found.refine and not found.nearby_dates_unchecked


def test_within_the_cap_it_is_never_said():
    found = find(DATED, lookup=_lookup, score_ids=_nobody, cap=15)
    assert not found.refine and not found.nearby_dates_unchecked
