"""Practitioner search: blind-indexed blocks, then decrypt, score by weight of evidence, rank.

Rules (domain.md): a family name plus a date of birth, a full postcode, or a given name and gender
(gender may be "not specified"); a partial postcode (district or sector) narrows a search with a date of
birth. Blocking keys tolerate one mistake in any field (matching.blocking); the Fellegi-Sunter scorer
(matching.scoring) decides: "match" results are offered, and only when there are none, "too close to
call" candidates are offered labelled as possible matches. At most SEARCH_RESULT_CAP results, otherwise
"refine your search"; a search by names (and gender) alone whose similar names are too many to look at
asks to refine rather than say "no children found" when nothing is offered (matching.engine). One with a
date whose nearby dates hold too many namesakes, with no one offered at the typed date, says that (no
child on that date, too many on nearby dates to check: check the date of birth), never "no children
found", and never "add detail", which cannot shrink those dates (`NearbyDatesUnchecked`). A shielded child is never found, ranked or explained through its address. Every
search is audited with its criteria as blind tokens and the ids it returned, then screened by the
misuse rules (oversight.misuse).
"""

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from children.candidates import CandidateRow, candidate_columns, candidate_rows, rows_as_candidates
from children.models import BlockingKeyEntry, Child, RecordStatus
from children.records import IDENTITY_COLUMNS, age_on, identity_from_sealed_values, town_from_address
from children.selectors import child_pk, key_entries_not_ordinary_join
from children.services import BLOCKING_PURPOSE
from matching.blocking import QueryKeys, query_key_tiers
from matching.engine import find, name_only
from matching.identity import Identity
from matching.normalise import NAME_SEPARATORS, fold, normalise_partial_postcode, postcode_granularity
from matching.scoring import MatchScore, family_disagrees_outright, fields_compared, not_offered, score
from oversight.misuse import search_screen
from oversight.rules import Rule
from vault.blind_index import blind_index, blind_token
from vault.crypto import KeyRevoked
from vault.keys import KeyShredded

# Blocks are small by construction; this bounds the work a pathological query can cause.
CANDIDATE_LIMIT = 500
# The candidate's fields read before any other (`_scored`).
_FAMILY_NAMES = frozenset({"family_names"})
# Key rows (one per child and key matched) the one-statement tier lookup reads before it falls back to
# a capped query per tier: a child shares a few keys with a query, so this many rows per candidate.
TIER_ROWS_PER_CANDIDATE = 4


# How many names one name box may hold. Each part of a typed name is a form of it (so that one half of
# a double-barrelled name finds the child), so a box listing surnames ("Smith Jones Brown Taylor Patel")
# was one audited search listing the children of every one of them, each an exact "family name
# matches": several searches' worth under one audit event and one count for the misuse rules. A real
# longer name is still found by any one of its parts, so asking for fewer loses no child.
NAMES_PER_BOX = 3
# Words joining the parts of a name, never a name on their own in practice: not counted as names.
_NAME_PARTICLES = frozenset(
    {
        "AL", "AP", "BIN", "BINT", "DA", "DAS", "DE", "DEL", "DELLA", "DEN", "DER", "DES", "DI", "DOS",
        "DU", "E", "EL", "IBN", "LA", "LAS", "LOS", "TEN", "TER", "VAN", "VON", "Y",
    }
)  # fmt: skip
# Parts of any kind (particles and single letters too) one box may hold: bounds what the rule leaves out.
PARTS_PER_BOX = 6


def _name_parts(name: str) -> set[str]:
    """The distinct folded parts a typed name is looked up by, as written and as its compatibility form
    (`name_forms` reads both: a full-width or small hyphen splits the name in the second)."""
    parts: set[str] = set()
    for text in {name, unicodedata.normalize("NFKC", name)}:
        parts |= {fold(part) for part in NAME_SEPARATORS.split(text)}
    parts.discard("")
    return parts


def too_many_names(name: str) -> bool:
    """True if one name box holds more names than a person's name has: more than `NAMES_PER_BOX` names
    (connecting words and single letters, the O of O'Brien, not counted), or `PARTS_PER_BOX` parts."""
    parts = _name_parts(name)
    names = {part for part in parts if len(part) > 1 and part not in _NAME_PARTICLES}
    return len(names) > NAMES_PER_BOX or len(parts) > PARTS_PER_BOX


@dataclass(frozen=True)
class SearchCriteria:
    family_name: str
    given_name: str = ""
    date_of_birth: date | None = None
    gender: str = ""
    postcode: str = ""

    def _postcode(self) -> str | None:
        return normalise_partial_postcode(self.postcode) if self.postcode else None

    def meets_minimum(self) -> bool:
        """Family name and a DOB, a full postcode, or a given name and a gender answer ("not specified" counts)."""
        if not fold(self.family_name):
            return False
        postcode = self._postcode()
        full_postcode = bool(postcode and postcode_granularity(postcode) == "full")
        return bool(self.date_of_birth or full_postcode or (fold(self.given_name) and self.gender))

    def identity(self) -> Identity:
        postcode = self._postcode()
        return Identity(
            family_names=(self.family_name,),
            given_names=(self.given_name,) if fold(self.given_name) else (),
            date_of_birth=self.date_of_birth,
            gender=self.gender or None,
            postcodes=(postcode,) if postcode else (),
        )

    def audit_tokens(self) -> dict[str, str]:
        """Criteria as blind tokens: an auditor can compare searches without reading them."""
        values = {
            "family_name": fold(self.family_name),
            "given_name": fold(self.given_name),
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
            "gender": self.gender,
            "postcode": self._postcode() or "",
        }
        return {name: blind_token(f"search-{name}", value) for name, value in values.items() if value}


class ResultRow:
    """What every results row shows beside the name, whether just searched or shown again after Back."""

    child: Child
    date_of_birth: date

    @property
    def shielded(self) -> bool:
        return self.child.shielded

    @property
    def age(self) -> int:
        return age_on(self.date_of_birth, timezone.localdate())

    @property
    def local_authority_name(self) -> str:
        return self.child.local_authority.name


@dataclass
class SearchResult(ResultRow):
    child: Child
    given_names: str
    family_name: str
    date_of_birth: date
    gender: str
    score: MatchScore
    # Where the child lives, to tell namesakes apart: never set for a shielded child (see `area`).
    town: str | None = None
    # Never shown; read by the own-address misuse rule only. Never set for a shielded child.
    postcode: str | None = None

    @property
    def possible(self) -> bool:
        """Too close to call: offered only because nothing scored as a match."""
        return self.score.verdict == "close"

    @property
    def why(self) -> str:
        """Why this child was offered; a shielded child's address was never compared, so never appears."""
        return self.score.why()


@dataclass
class SearchOutcome:
    results: list[SearchResult] = field(default_factory=list)
    too_many: bool = False
    matched: int = 0  # accepted matches; 0 when the blocks were too large to score at all
    flagged_for_review: bool = False
    # Flagged because the search involved the searcher's own home postcode (otherwise: their surname).
    flagged_own_address: bool = False
    # No child offered, but one that nothing typed rules out was seen (`matching.scoring.near_miss`): the
    # page says "no close match, add detail", never "no children found". Says nothing about who.
    near_miss: bool = False
    # "Refine" because several children could be the one and none is clearly it (`AmbiguousCloseCalls`),
    # not because too many match: the page says which, so the practitioner knows what detail to add.
    close_calls: bool = False
    # No child offered at the typed date, and the children born a keying mistake from it were too many to
    # look at (`NearbyDatesUnchecked`): the page says "check the date of birth", never "no children found"
    # nor "add detail". Not `too_many`: nothing the practitioner could add would narrow it.
    nearby_dates_unchecked: bool = False


class AsksToRefine(Exception):
    """The search's answer is "refine your search" (never a truncated or arbitrary list): the reasons below."""


class TooManyCandidates(AsksToRefine):
    """The blocks hold more children than one search may decrypt: the criteria are too broad."""


class NearbyDatesUnchecked(TooManyCandidates):
    """No one offered at the typed date, and too many children born on nearby dates to look at.

    Those blocks are keyed by the family name's sound code and the dates alone, so no given name, gender
    or postcode added can narrow them: `child_search` answers "check the date of birth" (not "refine").
    A `TooManyCandidates` to any caller that does not tell the two apart: the search was not answered.
    """


class AmbiguousCloseCalls(AsksToRefine):
    """No match, and more too-close-to-call candidates than a practitioner can tell apart."""


class TooManyResults(Exception):
    """More offers than the results page may show: "refine your search", none of them decrypted further."""

    def __init__(self, matched: int) -> None:
        super().__init__(matched)
        self.matched = matched


def _child_ids(keys: frozenset[str]) -> set[object]:
    """The children a practitioner may be shown under `keys`: all of them, or more than the cap to say so.

    Decided from the key rows alone (`visible_key_rows`): all of them, or past their bound, the children
    of the rows read if those alone are over the cap. Only otherwise (a few children sharing very many of
    the keys) is the distinct count asked of the database with the children joined.
    """
    digests = [blind_index(BLOCKING_PURPOSE, key) for key in sorted(keys)]
    bound = TIER_ROWS_PER_CANDIDATE * CANDIDATE_LIMIT
    rows = visible_key_rows(digests, limit=bound + 1)
    found = {child_id for _, child_id in rows}
    if len(rows) <= bound or len(found) > CANDIDATE_LIMIT:
        return found
    return set(_visible_active(digests).values_list("child_id", flat=True).distinct()[: CANDIDATE_LIMIT + 1])


def _key_rows_sql(count: int, limit: int) -> str:
    """The visible key rows of `count` digests (`key_entries_not_ordinary_join`). An ordinary child is
    visible through every key, so its row in the child table is never read; a not-ordinary one only if
    active, and never if shielded through a hidden key, filtered here in SQL. The key columns are all in
    the key index (`blocking_digest_child_hidden`), so PostgreSQL can answer from indexes alone. Every
    value is a placeholder."""
    placeholders = ", ".join(["%s"] * count)
    return (
        f"SELECT e.digest, e.child_id {key_entries_not_ordinary_join()}"
        f"WHERE e.digest IN ({placeholders}) "
        "AND (c.id IS NULL OR (c.status = %s AND NOT (e.hidden AND c.shielded))) "
        # in the key index's order: rows past the limit are whole keys' worth, as many children as possible
        f"ORDER BY e.digest LIMIT {int(limit)}"
    )


def visible_key_rows(digests: Iterable[int], *, limit: int) -> list[tuple[int, object]]:
    """(digest, child id) of at most `limit` key rows that may find their child, read without any sealed
    column: the same rows as `_visible_active` (an active child, and never a shielded one through a
    hidden, address-derived key)."""
    wanted = list(digests)
    if not wanted:
        return []
    active = RecordStatus.ACTIVE.value
    with connection.cursor() as cursor:
        cursor.execute(_key_rows_sql(len(wanted), limit), [active, *wanted, active])
        rows = cursor.fetchall()
    return [(digest, child_id if type(child_id) is UUID else child_pk(child_id)) for digest, child_id in rows]


def _visible_active(digests: Iterable[int]) -> QuerySet[BlockingKeyEntry]:
    return (
        BlockingKeyEntry.objects.filter(digest__in=list(digests))
        .filter(Q(hidden=False) | Q(child__shielded=False))
        .filter(child__status=RecordStatus.ACTIVE)
    )


def tier_rows(digests: Iterable[int]) -> "QuerySet[BlockingKeyEntry, tuple[Any, ...]]":
    """The key rows of `digests` a practitioner may be shown, each as (digest, the child's candidate
    columns: `children.candidates`), as values: no model instance per row."""
    return _visible_active(digests).values_list(
        "digest", *candidate_columns(IDENTITY_COLUMNS, prefix="child__")
    )


class _TierLookup:
    """The typed and nearby-date tiers and their candidates' rows fetched in ONE statement.

    Most searches need only those two tiers: one statement joins their blocking keys to the children
    (with data key and local authority), as the bare-Django floor does, instead of asking for the
    keys and then for the children. Rows are split by key in Python, so the tiers and the cap are
    applied exactly as before (`matching.engine.find`). If the rows run past a bound (a huge block),
    each tier is asked for separately, capped, and its children fetched afterwards, as before.

    Without `with_children` (a search with neither a date nor a full postcode, whose first tier is a
    name block of hundreds or thousands of children at national scale, often over the cap) only the key
    rows are read: "refine" is then decided before any child's sealed row is fetched, and the children
    of the tiers that fit are fetched once each, by `_scored`.
    """

    def __init__(self, keys: QueryKeys, *, with_children: bool = True) -> None:
        narrow = keys.exact | keys.widened
        self._digests = {key: blind_index(BLOCKING_PURPOSE, key) for key in narrow}
        bound = TIER_ROWS_PER_CANDIDATE * CANDIDATE_LIMIT
        self._by_digest: dict[int, set[object]] | None = None
        self.children: dict[object, CandidateRow] = {}
        if not with_children:
            key_rows = visible_key_rows(self._digests.values(), limit=bound + 1)
            if len(key_rows) <= bound:
                self._by_digest = defaultdict(set)
                for digest, child_id in key_rows:
                    self._by_digest[digest].add(child_id)
            return
        query = tier_rows(self._digests.values())
        rows = list(query[: bound + 1])
        if len(rows) <= bound:
            self._by_digest = defaultdict(set)
            # a child under several of the keys comes once per key: made a candidate once
            first: dict[object, list[Any]] = {}
            for digest, *candidate in rows:
                self._by_digest[digest].add(candidate[0])
                first.setdefault(candidate[0], candidate)
            made = rows_as_candidates(first.values(), IDENTITY_COLUMNS, db=query.db)
            self.children = {row.pk: row for row in made}

    def __call__(self, tier: frozenset[str]) -> set[object]:
        if self._by_digest is None or not tier <= self._digests.keys():
            return _child_ids(tier)
        found: set[object] = set()
        for key in tier:
            found |= self._by_digest.get(self._digests[key], set())
        return found


class _CurrentNames:
    """A shielded candidate's sealed values as search may read them: its former names are none, never
    decrypted. Search never finds, ranks or explains a shielded child by them (`matching.scoring.score`
    compares its current names only); read for the early prune, a former name typed made the search
    decrypt and score more of the child than another name did, and the time told it (DECISIONS 14)."""

    __slots__ = ("_row",)

    def __init__(self, row: CandidateRow) -> None:
        self._row = row

    def __getitem__(self, column: str) -> Any:
        return [] if column == "former_names" else self._row[column]


def _scored(
    query: Identity, child_ids: Iterable[object], fetched: dict[object, CandidateRow] | None = None
) -> list[tuple[CandidateRow, MatchScore]]:
    """Score the candidates, decrypting only the identity columns the query compares (never a shielded
    child's address or former names).

    Candidates already in `fetched` (the tier lookup's own statement) are not fetched again.
    """
    fetched = fetched or {}
    wanted = list(child_ids)
    missing = [child_id for child_id in wanted if child_id not in fetched]
    children = [fetched[child_id] for child_id in wanted if child_id in fetched]
    if missing:
        # Asked again: a child archived or closed since its key rows were read is not a candidate.
        children += candidate_rows(
            Child.objects.filter(pk__in=missing, status=RecordStatus.ACTIVE), IDENTITY_COLUMNS
        )
    compared = {False: fields_compared(query), True: fields_compared(query, use_hidden=False)}
    scored: list[tuple[CandidateRow, MatchScore]] = []
    for candidate in children:
        values = _CurrentNames(candidate) if candidate.shielded else candidate
        # The family names first: a candidate they rule out is never decrypted further.
        try:
            family = identity_from_sealed_values(values, _FAMILY_NAMES).family_names
        except (KeyRevoked, KeyShredded):
            # Its key was shredded after its row was read (a merge or a purge committing meanwhile; the
            # provider refuses the key from before that commit): the record is no longer there, so it is no
            # candidate, as if the row had been read a moment later. Any other failure is not this race.
            continue
        if family_disagrees_outright(query, family):
            scored.append((candidate, not_offered()))
            continue
        identity = identity_from_sealed_values(values, compared[candidate.shielded])
        scored.append((candidate, score(query, identity, use_hidden=not candidate.shielded)))
    return scored


@dataclass
class Matches:
    """What a search offers, and whether it saw a near miss when it offers nothing (never who)."""

    results: list[SearchResult]
    near_miss: bool = False


def child_search_matches(criteria: SearchCriteria, *, result_cap: int | None = None) -> list[SearchResult]:
    """Accepted matches best first, or failing any, the few too-close-to-call ones (no audit).

    A near miss is no results here; `child_search` tells it apart (`child_search_found`).
    """
    return child_search_found(criteria, result_cap=result_cap).results


def child_search_found(criteria: SearchCriteria, *, result_cap: int | None = None) -> Matches:
    """The offers, best first, and whether a search with none had a near miss (no audit).

    With `result_cap`, more offers than that raise `TooManyResults` before any of them is decrypted for
    its results row (the search will show none of them).
    """
    query = criteria.identity()
    keys = query_key_tiers(query)
    names_only = name_only(query)
    lookup = _TierLookup(keys, with_children=not names_only)
    found = find(
        keys,
        lookup=lookup,
        score_ids=lambda ids: _scored(query, ids, lookup.children),
        cap=CANDIDATE_LIMIT,
        names_only=names_only,
    )
    if found.nearby_dates_unchecked:
        raise NearbyDatesUnchecked
    if found.refine and not found.offers.ambiguous:
        raise TooManyCandidates
    if found.refine:
        raise AmbiguousCloseCalls
    if result_cap is not None and len(found.offers.items) > result_cap:
        raise TooManyResults(len(found.offers.items))
    results = []
    for candidate, match in found.offers.items:
        child = candidate.child
        results.append(
            SearchResult(
                child=child,
                given_names=candidate["given_names"],
                family_name=candidate["family_name"],
                date_of_birth=date.fromisoformat(candidate["date_of_birth"]),
                gender=candidate["gender"],
                score=match,
                # a shielded child's address is never decrypted by a search
                town=None if child.shielded else town_from_address(candidate["address"]),
                postcode=None if child.shielded else candidate["address"].get("postcode"),
            )
        )
    results.sort(key=lambda r: (-r.score.weight, r.child.index_number))
    return Matches(results, near_miss=found.near_miss)


def child_search(*, criteria: SearchCriteria, fetched_by: User) -> SearchOutcome:
    """The practitioner search: capped, and never run without its audit event."""
    if not criteria.meets_minimum():
        raise ValueError("search criteria do not meet the minimum")
    if too_many_names(criteria.family_name) or too_many_names(criteria.given_name):
        raise ValueError("a name box holds more names than one person's name")
    cap = settings.SEARCH_RESULT_CAP
    matched, near_miss, close_calls, nearby_dates = 0, False, False, False
    try:
        found = child_search_found(criteria, result_cap=cap)
        matches, matched, too_many, near_miss = found.results, len(found.results), False, found.near_miss
    except TooManyResults as over:
        matches, matched, too_many = [], over.matched, True
    except NearbyDatesUnchecked:
        # Not "refine": nothing more typed would narrow those dates. Nor "no children found".
        matches, too_many, nearby_dates = [], False, True
    except AmbiguousCloseCalls:
        matches, too_many, close_calls = [], True, True
    except AsksToRefine:
        # A truncated block could hide the right child behind "no match"; ask for more detail instead.
        matches, too_many = [], True
    outcome = SearchOutcome(
        results=matches,
        too_many=too_many,
        matched=matched,
        near_miss=near_miss,
        close_calls=close_calls,
        nearby_dates_unchecked=nearby_dates,
    )
    with transaction.atomic():
        event = event_record(
            tag=AuditTag.SearchPerformed,
            actor=fetched_by,
            additional={
                "criteria": criteria.audit_tokens(),
                "result_ids": [str(r.child.pk) for r in outcome.results],
                "too_many": too_many,
                "near_miss": near_miss,
                "close_calls": close_calls,
                "nearby_dates_unchecked": nearby_dates,
            },
        )
        # Misuse rules see every search, after its audit event, in the same transaction.
        flags = search_screen(
            user=fetched_by,
            family_name=criteria.family_name,
            too_many=too_many,
            search_event_id=event.pk,
            postcodes=[criteria.postcode, *(r.postcode for r in outcome.results if r.postcode)],
            shown_family_names=[r.family_name for r in outcome.results],
        )
        outcome.flagged_for_review = bool(flags)
        outcome.flagged_own_address = Rule.OWN_ADDRESS in flags
    return outcome
