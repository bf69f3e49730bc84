"""Practitioner search: blind-indexed blocks, then decrypt, score by weight of evidence, rank.

Rules (domain.md): a family name plus a date of birth, a full postcode, or a given name and gender
(gender may be "not specified"); a partial postcode (district or sector) narrows a search with a date of
birth. Blocking keys tolerate one mistake in any field (matching.blocking); the Fellegi-Sunter scorer
(matching.scoring) decides: "match" results are offered, and only when there are none, "too close to
call" candidates are offered labelled as possible matches. At most SEARCH_RESULT_CAP results, otherwise
"refine your search". A shielded child is never found, ranked or explained through its address. Every
search is audited with its criteria as blind tokens and the ids it returned, then screened by the
misuse rules (oversight.misuse).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from children.models import BlockingKeyEntry, Child, RecordStatus
from children.records import IDENTITY_COLUMNS, age_on, identity_from_sealed_values, town_from_address
from children.selectors import unseal_column
from children.services import BLOCKING_PURPOSE
from matching.blocking import QueryKeys, query_key_tiers
from matching.engine import find
from matching.identity import Identity
from matching.normalise import fold, normalise_partial_postcode, postcode_granularity
from matching.scoring import MatchScore, fields_compared, score
from oversight.misuse import search_screen
from vault.blind_index import blind_index, blind_token
from vault.sealing import Sealer

# Blocks are small by construction; this bounds the work a pathological query can cause.
CANDIDATE_LIMIT = 500
# Key rows (one per child and key matched) the one-statement tier lookup reads before it falls back to
# a capped query per tier: a child shares a few keys with a query, so this many rows per candidate.
TIER_ROWS_PER_CANDIDATE = 4


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


class TooManyCandidates(Exception):
    """The blocks hold more children than one search may decrypt: the criteria are too broad."""


class AmbiguousCloseCalls(Exception):
    """No match, and more too-close-to-call candidates than a practitioner can tell apart."""


class Candidate:
    """A candidate whose data key is opened once, each sealed column decrypted the first time it is read.

    Scoring reads only the columns the query compares (`matching.scoring.fields_compared`) and a results
    row the few it shows, so a candidate that is not offered is decrypted no further than scoring needs.
    """

    __slots__ = ("_sealer", "_values", "child")

    def __init__(self, child: Child) -> None:
        self.child = child
        self._sealer = Sealer(child.data_key)
        self._values: dict[str, Any] = {}

    def __getitem__(self, column: str) -> Any:
        if column not in self._values:
            self._values[column] = unseal_column(self._sealer, self.child, column)
        return self._values[column]


def _child_ids(keys: frozenset[str]) -> set[object]:
    digests = [blind_index(BLOCKING_PURPOSE, key) for key in sorted(keys)]
    return set(_visible_active(digests).values_list("child_id", flat=True).distinct()[: CANDIDATE_LIMIT + 1])


def _visible_active(digests: Iterable[int]) -> QuerySet[BlockingKeyEntry]:
    return (
        BlockingKeyEntry.objects.filter(digest__in=list(digests))
        .filter(Q(hidden=False) | Q(child__shielded=False))
        .filter(child__status=RecordStatus.ACTIVE)
    )


def tier_rows(digests: Iterable[int]) -> QuerySet[BlockingKeyEntry]:
    """The key rows of `digests` a practitioner may be shown, each joined to its child's candidate columns."""
    return (
        _visible_active(digests)
        .select_related("child__data_key", "child__local_authority")
        .only("digest", *(f"child__{column}" for column in _CANDIDATE_COLUMNS))
    )


class _TierLookup:
    """The typed and nearby-date tiers and their candidates' rows fetched in ONE statement.

    Most searches need only those two tiers: one statement joins their blocking keys to the children
    (with data key and local authority), as the bare-Django floor does, instead of asking for the
    keys and then for the children. Rows are split by key in Python, so the tiers and the cap are
    applied exactly as before (`matching.engine.find`). If the rows run past a bound (a huge block),
    each tier is asked for separately, capped, and its children fetched afterwards, as before.
    """

    def __init__(self, keys: QueryKeys) -> None:
        narrow = keys.exact | keys.widened
        self._digests = {key: blind_index(BLOCKING_PURPOSE, key) for key in narrow}
        bound = TIER_ROWS_PER_CANDIDATE * CANDIDATE_LIMIT
        rows = list(tier_rows(self._digests.values())[: bound + 1])
        self._by_digest: dict[int, set[object]] | None = None
        self.children: dict[object, Child] = {}
        if len(rows) <= bound:
            self._by_digest = defaultdict(set)
            for entry in rows:
                self._by_digest[entry.digest].add(entry.child_id)
                self.children.setdefault(entry.child_id, entry.child)

    def __call__(self, tier: frozenset[str]) -> set[object]:
        if self._by_digest is None or not tier <= self._digests.keys():
            return _child_ids(tier)
        found: set[object] = set()
        for key in tier:
            found |= self._by_digest.get(self._digests[key], set())
        return found


# What scoring and a results row read of a candidate: its identity columns, the shield, the index
# number (ranking), the local authority (shown) and the data key (to decrypt); never the rest.
_CANDIDATE_COLUMNS = (
    "id",
    "index_number",
    "shielded",
    "status",
    "local_authority",
    "data_key",
    *IDENTITY_COLUMNS,
)


def _scored(
    query: Identity, child_ids: Iterable[object], fetched: dict[object, Child] | None = None
) -> list[tuple[Candidate, MatchScore]]:
    """Score the candidates, decrypting only the identity columns the query compares (never a shielded
    child's address).

    Candidates already in `fetched` (the tier lookup's own statement) are not fetched again.
    """
    fetched = fetched or {}
    wanted = list(child_ids)
    missing = [child_id for child_id in wanted if child_id not in fetched]
    children = [fetched[child_id] for child_id in wanted if child_id in fetched]
    if missing:
        children += list(
            Child.objects.filter(pk__in=missing)
            .select_related("data_key", "local_authority")
            .only(*_CANDIDATE_COLUMNS)
        )
    compared = {False: fields_compared(query), True: fields_compared(query, use_hidden=False)}
    scored: list[tuple[Candidate, MatchScore]] = []
    for child in children:
        candidate = Candidate(child)
        identity = identity_from_sealed_values(candidate, compared[child.shielded])
        scored.append((candidate, score(query, identity, use_hidden=not child.shielded)))
    return scored


def child_search_matches(criteria: SearchCriteria) -> list[SearchResult]:
    """Accepted matches best first, or failing any, the few too-close-to-call ones (no cap, no audit)."""
    query = criteria.identity()
    keys = query_key_tiers(query)
    lookup = _TierLookup(keys)
    found = find(
        keys,
        lookup=lookup,
        score_ids=lambda ids: _scored(query, ids, lookup.children),
        cap=CANDIDATE_LIMIT,
    )
    if found.refine and not found.offers.ambiguous:
        raise TooManyCandidates
    if found.refine:
        raise AmbiguousCloseCalls
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
            )
        )
    results.sort(key=lambda r: (-r.score.weight, r.child.index_number))
    return results


def child_search(*, criteria: SearchCriteria, fetched_by: User) -> SearchOutcome:
    """The practitioner search: capped, and never run without its audit event."""
    if not criteria.meets_minimum():
        raise ValueError("search criteria do not meet the minimum")
    cap = settings.SEARCH_RESULT_CAP
    try:
        matches = child_search_matches(criteria)
        too_many = len(matches) > cap
    except (TooManyCandidates, AmbiguousCloseCalls):
        # A truncated block could hide the right child behind "no match"; ask for more detail instead.
        matches, too_many = [], True
    outcome = SearchOutcome(results=[] if too_many else matches, too_many=too_many, matched=len(matches))
    with transaction.atomic():
        event = event_record(
            tag=AuditTag.SearchPerformed,
            actor=fetched_by,
            additional={
                "criteria": criteria.audit_tokens(),
                "result_ids": [str(r.child.pk) for r in outcome.results],
                "too_many": too_many,
            },
        )
        # Misuse rules see every search, after its audit event, in the same transaction.
        outcome.flagged_for_review = search_screen(
            user=fetched_by, family_name=criteria.family_name, too_many=too_many, search_event_id=event.pk
        )
    return outcome
