"""Misuse rules as pure functions: no database, no settings, so each rule is tested by value alone.

The 2009 lesson (domain.md): users searched their own relatives "to test the system". These rules say
whether one action looks like that; `oversight.misuse` decides what to do about it.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from matching.normalise import name_variants, phonetic


class Rule(StrEnum):
    """Rule names as written to the audit log and shown to the LA team (never personal data)."""

    OWN_SURNAME = "own_surname"
    OWN_ADDRESS = "own_address"
    BULK_VIEWING = "bulk_viewing"
    BULK_REFINED_SEARCHES = "bulk_refined_searches"
    BULK_SEARCHING = "bulk_searching"
    BULK_CHILDREN_FOUND = "bulk_children_found"
    UNEXPLAINED_VIEWS = "unexplained_views"
    VIEWS_OUTSIDE_LA = "views_outside_la"
    OUT_OF_HOURS = "out_of_hours"
    BULK_EXPORTED_CHILDREN = "bulk_exported_children"
    SUSTAINED_BROWSING = "sustained_browsing"
    REFUSED_LOOKUPS = "refused_lookups"
    CLOSED_RECORD_TRIED = "closed_record_tried"


def _family_name_parts(name: str) -> set[str]:
    """The name's forms (`matching.normalise.name_variants`), and those of the name taken apart at every
    character that is neither a letter nor a mark. The engine splits at spaces, hyphens, full stops and
    apostrophes only; a double-barrelled name joined by an en dash, a Unicode hyphen or any other joiner
    stayed one word there, so half of it never met the searcher's own "Example"."""
    apart = "".join(ch if ch.isalpha() or unicodedata.category(ch).startswith("M") else " " for ch in name)
    return name_variants(name) | name_variants(apart)


def shares_family_name(searched: str, own: str) -> bool:
    """Does a searched family name look like the searcher's own?

    Any folded part of one equals any folded part of the other (so "Example-Smith" matches "Smith",
    "O'Brien" matches "OBrien", and "Jones.Smith" matches "Smith": `_family_name_parts`), or two
    parts share a NYSIIS code (so "Stevenson" matches "Stephenson"; NYSIIS keeps vowels apart, so
    "Smyth" and "Smith" do not). Deliberately generous: a false alarm costs the LA team a glance, a
    miss costs a relative's privacy, and the search itself still runs.
    """
    searched_parts = _family_name_parts(searched)
    own_parts = _family_name_parts(own)
    if not searched_parts or not own_parts:
        return False
    if searched_parts & own_parts:
        return True
    searched_codes = {phonetic(p) for p in searched_parts} - {""}
    own_codes = {phonetic(p) for p in own_parts} - {""}
    return bool(searched_codes & own_codes)


def shares_address(own_token: str, tokens: Iterable[str | None]) -> bool:
    """Is any of these postcodes (as blind tokens: typed, or of a child a search found) the searcher's
    own home postcode (its token, `accounts.home_postcode`)? Never, when no home postcode is held."""
    return bool(own_token) and any(token == own_token for token in tokens)


@dataclass(frozen=True)
class Thresholds:
    """An alert above `alert_above`; automatic suspension above `suspend_above`."""

    alert_above: int
    suspend_above: int


REFUSED_LOOKUPS = Thresholds(alert_above=10, suspend_above=30)
"""Refused look-ups of children in a rolling hour (`oversight.misuse.refusal_screen`): an alert above 10,
automatic suspension above 30.

An honest user meets a handful an hour: an old bookmark or link in an email to a record archived or closed
since, a mistyped id, a record they may not open until they find it by a search. Ten is twice that
handful, so the LA team is told of someone trying ids well before they have tried many. Thirty is more
than anyone reaches by accident in an hour, and far fewer than the 3,600 look-ups an hour the search
limit alone (60 a minute) would leave a careful prober: past it, nothing more is tried until the team
acts. Constants, not settings: the rule is about how honest use looks, which does not change by site.
"""

THROTTLED_MINUTE_WEIGHT = REFUSED_LOOKUPS.alert_above
"""What one minute over the search and look-up limit counts for in the refused look-ups rule.

The limit's refusals are audited once a minute (the first of each minute), so the event stands for a
whole minute over the limit: 60 look-ups or more, and however many were refused after them. It counts as
an alert threshold's worth of refusals: alone (a burst of clicks, a page reloaded in a hurry) it stays
quiet; with anything else refused in the hour it alerts, and four such minutes in an hour suspend.
"""


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


@dataclass(frozen=True)
class WorkingHours:
    """Local working hours: from `start` (inclusive) to `end` (exclusive) on `weekdays` (Monday is 0).

    An `end` at or before `start` runs past midnight (a night team's 19:00 to 07:00); `start` equal
    to `end` is the whole day. The weekday is the moment's own local day.
    """

    start: time
    end: time
    weekdays: frozenset[int]
    zone: str

    @classmethod
    def parse(cls, *, start: str, end: str, weekdays: tuple[int, ...], zone: str) -> "WorkingHours":
        return cls(
            start=time.fromisoformat(start),
            end=time.fromisoformat(end),
            weekdays=frozenset(weekdays),
            zone=zone,
        )


def within_working_hours(moment: datetime, hours: WorkingHours) -> bool:
    """Is an aware moment inside working hours, in the hours' own time zone (so across clock changes)?"""
    local = moment.astimezone(ZoneInfo(hours.zone))
    if local.weekday() not in hours.weekdays:
        return False
    now = local.time()
    if hours.start < hours.end:
        return hours.start <= now < hours.end
    return now >= hours.start or now < hours.end
