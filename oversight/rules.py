"""Misuse rules as pure functions: no database, no settings, so each rule is tested by value alone.

The 2009 lesson (domain.md): users searched their own relatives "to test the system". These rules say
whether one action looks like that; `oversight.misuse` decides what to do about it.
"""

from dataclasses import dataclass
from enum import StrEnum

from matching.normalise import name_variants, phonetic


class Rule(StrEnum):
    """Rule names as written to the audit log and shown to the LA team (never personal data)."""

    OWN_SURNAME = "own_surname"
    OWN_ADDRESS = "own_address"
    BULK_VIEWING = "bulk_viewing"
    BULK_REFINED_SEARCHES = "bulk_refined_searches"
    BULK_SEARCHING = "bulk_searching"
    BULK_CHILDREN_FOUND = "bulk_children_found"


def shares_family_name(searched: str, own: str) -> bool:
    """Does a searched family name look like the searcher's own?

    Any folded part of one equals any folded part of the other (so "Example-Smith" matches "Smith"
    and "O'Brien" matches "OBrien"), or two parts share a NYSIIS code (so "Stevenson" matches
    "Stephenson"; NYSIIS keeps vowels apart, so "Smyth" and "Smith" do not). Deliberately generous:
    a false alarm costs the LA team a glance, a miss costs a relative's privacy, and the search
    itself still runs.
    """
    searched_parts = name_variants(searched)
    own_parts = name_variants(own)
    if not searched_parts or not own_parts:
        return False
    if searched_parts & own_parts:
        return True
    searched_codes = {phonetic(p) for p in searched_parts} - {""}
    own_codes = {phonetic(p) for p in own_parts} - {""}
    return bool(searched_codes & own_codes)


def shares_address(searched_postcode: str, own_postcodes: tuple[str, ...]) -> bool:
    """Seam for the own-address rule. Practitioners' home addresses are not held, so this is never true.

    When an accredited source of practitioners' home postcodes exists, compare normalised postcodes
    here and call it from `oversight.misuse.search_screen` beside the own-surname rule.
    """
    return False


@dataclass(frozen=True)
class Thresholds:
    """An alert above `alert_above`; automatic suspension above `suspend_above`."""

    alert_above: int
    suspend_above: int


class Verdict(StrEnum):
    QUIET = "quiet"
    ALERT = "alert"
    SUSPEND = "suspend"


def volume_verdict(count: int, thresholds: Thresholds) -> Verdict:
    """What a count in the rolling window calls for. "More than N" means a count of N is still quiet."""
    if count > thresholds.suspend_above:
        return Verdict.SUSPEND
    if count > thresholds.alert_above:
        return Verdict.ALERT
    return Verdict.QUIET
