"""One search over the engine's parts: tiered candidates, scoring, offers.

Practitioner search (children.search) and the search-quality benchmark both call `find`, with their own
`lookup` (blind-index query, or a dict) and `score_ids` (decrypt and score, or score plain identities),
so the benchmark measures the rules the service runs.

The name-only tier (keys without a date or full postcode) is looked up only when the narrower tiers give
no match: with a date typed, it would mostly add hundreds of namesakes to decrypt and score.

A search with neither a date of birth nor a full postcode (`name_only`) whose name-only tier is over
the cap, with nothing offered from the narrower tiers, answers "refine your search", never "no children
found": the child may be among the similar names it could not look at, and names alone rule no one out.
So does a search with a date whose nearby-date tier (one keying mistake from the typed date) is over the
cap, with nothing offered from the typed date: a mistyped date of a common name at national density. That
one is told apart (`Found.nearby_dates_unchecked`): the tier is built from the family name's sound code and
the dates alone, so no detail added can shrink it, and the practitioner is told to check the date, never
to add detail. With a date typed, the name-only tier over the cap alone does not ask to refine: it is a
widening for a date wholly wrong, over the cap for most searches with a given name at national scale.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from matching.blocking import NEARBY_DATES, QueryKeys, candidates_within
from matching.identity import Identity
from matching.normalise import postcode_granularity
from matching.scoring import MatchScore, Offers, near_miss, offers

K = TypeVar("K")  # what the index returns (a child id)
T = TypeVar("T")  # what is scored and offered (a decrypted child, or a plain identity)


@dataclass
class Found(Generic[T]):
    offers: Offers[T] = field(default_factory=lambda: Offers([]))
    refine: bool = False
    candidates: int = 0
    # Nothing offered, but a candidate nothing typed rules out (`matching.scoring.near_miss`): the answer is
    # "no close match, add detail", never "no children found".
    near_miss: bool = False
    # `refine` because the nearby-date tier was over the cap and the typed date offered no one: more detail
    # cannot shrink that tier (family-name sound code and dates only), so the answer is "check the date of
    # birth", not "add detail" (`children.search.NearbyDatesUnchecked`).
    nearby_dates_unchecked: bool = False


def name_only(query: Identity) -> bool:
    """Neither a date of birth nor a full postcode typed: the first key tier is a name block (hundreds
    of children for a common name at 1 M), not tens."""
    return not query.date_of_birth and not any(postcode_granularity(p) == "full" for p in query.postcodes)


def find(
    keys: QueryKeys,
    *,
    lookup: Callable[[frozenset[str]], set[K]],
    score_ids: Callable[[Iterable[K]], list[tuple[T, MatchScore]]],
    cap: int,
    names_only: bool = False,
) -> Found[T]:
    """Candidates tier by tier under `cap`, scored; "refine" when the typed values alone exceed it.

    With `names_only` (`name_only` of the query), a name-only tier over the cap with nothing offered
    from the narrower tiers also asks to refine: a child the search could not look at might be the one.
    So does a nearby-date tier over the cap with nothing offered from the typed values, with or without
    `names_only` (and says so: `nearby_dates_unchecked`). "Offered" is a match or a close call (or too
    many close calls): the same rule for both.
    With no offers, `near_miss` says whether any candidate scored was a near miss.
    """
    looked_up: dict[frozenset[str], set[K]] = {}

    def lookup_once(tier: frozenset[str]) -> set[K]:
        # Widening to the name-only tier asks again for the tiers already fetched: one query each is enough.
        if tier not in looked_up:
            looked_up[tier] = lookup(tier)
        return looked_up[tier]

    narrow = candidates_within(replace(keys, broad=frozenset()), lookup_once, cap=cap)
    if narrow.refine:
        return Found(refine=True)
    scored = score_ids(narrow.found)
    result = offers(scored)
    candidates = len(narrow.found)
    if narrow.over_cap == NEARBY_DATES and not (result.items or result.ambiguous):
        # The children born a keying mistake from the typed date were too many to look at, and the typed
        # date offered no one: the child may be one of them. (Widening further is pointless: the
        # name-only tier comes after the one left out.)
        return Found(refine=True, candidates=candidates, nearby_dates_unchecked=True)
    if keys.broad and not any(match.verdict == "match" for _, match in scored):
        wide = candidates_within(keys, lookup_once, cap=cap)
        if wide.refine:
            return Found(refine=True)
        extra = wide.found - narrow.found
        if extra:
            scored += score_ids(extra)
            result = offers(scored)
            candidates += len(extra)
        elif names_only and wide.tiers_used < len(keys.tiers) and not (result.items or result.ambiguous):
            return Found(refine=True, candidates=candidates)
    near = not result.items and not result.ambiguous and any(near_miss(match) for _, match in scored)
    return Found(offers=result, refine=result.ambiguous, candidates=candidates, near_miss=near)
