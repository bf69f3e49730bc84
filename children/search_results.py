"""A search's outcome kept in the session for a few minutes, so its results page can be shown again.

The search page follows post/redirect/get: the POST runs (and audits) the search once, stores what the
results page needs under a random search id, and redirects to `/children/search/results/<id>/`. That
page, the browser's Back button and "Back to search" show the stored results again without running or
auditing another search, and never ask to resubmit a form.

Only child ids, why-lines ("family name matches, ..."), possible-match flags, each child's shielded flag,
a keyed digest of the name shown (`shown_name_digest`) and the outcome's flags are stored, never the
criteria nor a name; names, dates and towns are decrypted again when the page is shown, only the columns
it shows (never a shielded child's address). The page re-checks the policy for each child, and leaves out
a child shielded since the search or whose shown name has changed since: shown again, it would link the
name the practitioner typed to the child's new name, shielded tag and holding LA, which no search by the
old name can give now. Whenever a child is left out, for whatever reason, the page says to search again.
"""

import secrets
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings

from accounts.models import User
from children.models import Child
from children.records import town_from_address
from children.search import ResultRow, SearchOutcome
from matching.scoring import why_without_address
from vault.blind_index import blind_token
from vault.crypto import KeyRevoked
from vault.keys import KeyShredded
from vault.sealing import Sealer

_SESSION_KEY = "search_results"
# A person rarely has more than a few searches open in tabs; older ones are dropped first.
MAX_KEPT = 10
SHOWN_NAME_PURPOSE = "search-results-shown-name"


@dataclass(frozen=True)
class StoredResult:
    child_id: str
    why: str
    possible: bool
    # As the search found it. Results kept before these were stored read as unshielded with no name, so
    # a child shielded now, and every other one, is left out: the page asks to search again.
    shielded: bool = False
    shown_name: str = ""


@dataclass(frozen=True)
class StoredOutcome:
    search_id: str
    results: list[StoredResult] = field(default_factory=list)
    too_many: bool = False
    flagged_for_review: bool = False
    near_miss: bool = False
    close_calls: bool = False
    flagged_own_address: bool = False
    nearby_dates_unchecked: bool = False


@dataclass(frozen=True)
class ShownResult(ResultRow):
    """One row of the results page, decrypted for this response only."""

    child: Child
    given_names: str
    family_name: str
    date_of_birth: date
    gender: str
    town: str | None
    why: str
    possible: bool


@dataclass(frozen=True)
class ShownOutcome:
    results: list[ShownResult]
    too_many: bool
    flagged_for_review: bool
    near_miss: bool = False
    close_calls: bool = False
    flagged_own_address: bool = False
    nearby_dates_unchecked: bool = False
    # Some child the search found is left out now (no longer permitted, gone, shielded or renamed since):
    # the page says to search again, never why, so it tells nothing a new search would not.
    changed: bool = False


def shown_name_digest(child_id: str, *, given_names: str, family_name: str) -> str:
    """A keyed digest of the name a results row shows, kept in the session in place of the name: tells
    whether the name shown again is the one shown at search time, and cannot be read or guessed without
    the index key. The child's id is part of it, so two children's digests never tell they share a name."""
    return blind_token(SHOWN_NAME_PURPOSE, f"{child_id}\x1f{given_names}\x1f{family_name}")


def _kept(session: Any, now: float) -> dict[str, dict[str, Any]]:
    kept = session.get(_SESSION_KEY, {})
    return {k: v for k, v in kept.items() if v["expires"] > now}


def search_outcome_store(session: Any, *, outcome: SearchOutcome, by: User) -> str:
    """Keep `outcome` (no criteria) for SEARCH_RESULTS_TTL_SECONDS; returns its random search id."""
    now = time.time()
    kept = _kept(session, now)
    search_id = secrets.token_urlsafe(16)
    kept[search_id] = {
        "user_id": by.pk,
        "expires": now + settings.SEARCH_RESULTS_TTL_SECONDS,
        "too_many": outcome.too_many,
        "flagged_for_review": outcome.flagged_for_review,
        "flagged_own_address": outcome.flagged_own_address,
        "near_miss": outcome.near_miss,
        "close_calls": outcome.close_calls,
        "nearby_dates_unchecked": outcome.nearby_dates_unchecked,
        "results": [
            {
                "child_id": str(r.child.pk),
                "why": r.why,
                "possible": r.possible,
                "shielded": r.child.shielded,
                "shown_name": shown_name_digest(
                    str(r.child.pk), given_names=r.given_names, family_name=r.family_name
                ),
            }
            for r in outcome.results
        ],
    }
    newest = sorted(kept.items(), key=lambda item: item[1]["expires"])[-MAX_KEPT:]
    session[_SESSION_KEY] = dict(newest)
    return search_id


def search_outcome_for(session: Any, *, search_id: str, by: User) -> StoredOutcome | None:
    """The stored outcome, if it is `by`'s own and has not expired; otherwise None."""
    stored = _kept(session, time.time()).get(search_id)
    if stored is None or stored["user_id"] != by.pk:
        return None
    return StoredOutcome(
        search_id=search_id,
        results=[StoredResult(**r) for r in stored["results"]],
        too_many=stored["too_many"],
        flagged_for_review=stored["flagged_for_review"],
        # outcomes kept before these were told apart read as neither
        near_miss=stored.get("near_miss", False),
        close_calls=stored.get("close_calls", False),
        flagged_own_address=stored.get("flagged_own_address", False),
        nearby_dates_unchecked=stored.get("nearby_dates_unchecked", False),
    )


def latest_search_id(session: Any, *, by: User) -> str | None:
    """The id of `by`'s most recent search still kept (for "Back to search"), if any."""
    mine = [(v["expires"], k) for k, v in _kept(session, time.time()).items() if v["user_id"] == by.pk]
    return max(mine)[1] if mine else None


def stored_children(stored: StoredOutcome) -> list[Child]:
    """The children the stored results name, in the stored order (any no longer held are left out)."""
    ids = [r.child_id for r in stored.results]
    found = {
        str(c.pk): c for c in Child.objects.filter(pk__in=ids).select_related("data_key", "local_authority")
    }
    return [found[i] for i in ids if i in found]


def shown_outcome(stored: StoredOutcome, *, children: list[Child]) -> ShownOutcome:
    """The results page for `children` (those the viewer may still be shown), decrypting only its columns.

    A child shielded since the search is left out before anything of it is decrypted, and one whose name
    differs from the name shown at search time once it is; either way `changed` says to search again.
    """
    why = {r.child_id: r for r in stored.results}
    rows = []
    for child in children:
        row = why[str(child.pk)]
        if child.shielded and not row.shielded:
            continue
        try:
            sealer = Sealer(child.data_key)
        except (KeyRevoked, KeyShredded):
            # Shredded since its row was read (a merge or a purge committing meanwhile): no longer held,
            # so left out as `stored_children` leaves out a record already gone.
            continue
        given_names = sealer.unseal(child, "given_names")
        family_name = sealer.unseal(child, "family_name")
        if (
            shown_name_digest(str(child.pk), given_names=given_names, family_name=family_name)
            != row.shown_name
        ):
            continue
        rows.append(
            ShownResult(
                child=child,
                given_names=given_names,
                family_name=family_name,
                date_of_birth=date.fromisoformat(sealer.unseal(child, "date_of_birth")),
                gender=sealer.unseal(child, "gender"),
                # a shielded child's address is never decrypted for a results page
                town=None if child.shielded else town_from_address(sealer.unseal(child, "address")),
                # shielded when searched, so its address was never compared; never mentioned all the same
                why=why_without_address(row.why) if child.shielded else row.why,
                possible=row.possible,
            )
        )
    return ShownOutcome(
        results=rows,
        too_many=stored.too_many,
        flagged_for_review=stored.flagged_for_review,
        near_miss=stored.near_miss,
        close_calls=stored.close_calls,
        flagged_own_address=stored.flagged_own_address,
        nearby_dates_unchecked=stored.nearby_dates_unchecked,
        changed=len(rows) < len(stored.results),
    )
