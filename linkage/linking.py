"""Deciding what an incoming feed record is: an existing child, a new child, or a question for a person.

The one matching engine serves search and linkage: candidates come from the same blind-indexed blocking
keys (`matching.blocking.query_key_tiers`), each is scored by `matching.scoring.score`, and the verdict
thresholds are the engine's (`verdict`: "match" at or above the upper threshold, "close" between, "non"
below). Linkage adds only what a feed needs on top:

- **Shield safety first.** Before anything else, every shielded child sharing *any* key with the record
  (address-derived keys included: a feed is not a practitioner search, and the 2009 failure was an update
  that missed a shielded child and created a visible duplicate) is scored with its address. Any that is
  not clearly someone else sends the record to that child's LA team; nothing is created or updated.
- **Never auto-link a close call.** Above the upper threshold updates that child, unless a second
  candidate is within LINK_MARGIN bits (review). Between the thresholds is review. Below is a new child.
- **Twins are never auto-linked.** A best candidate whose given name differs outright goes to review
  (a twin or sibling shares everything else), unless an identifier agrees.
- **A move and another difference are never auto-linked.** A best candidate in another postcode district
  whose name or date of birth differs by more than a slip goes to review (`moved_and_more`), unless an
  identifier agrees.
- **Identifiers are strong evidence.** An equal NHS number lifts a close call to a link; a different
  NHS number on the best candidate sends the record to review however well the rest agrees.
"""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from children.models import BlockingKeyEntry, Child, RecordStatus
from children.records import IDENTITY_COLUMNS, identity_from_sealed_values
from children.selectors import unseal_column
from children.services import BLOCKING_PURPOSE, identifier_key
from linkage.models import ReviewReason
from linkage.moves import moved_and_more
from matching.blocking import QueryKeys, candidates_within, query_key_tiers
from matching.identity import Identity
from matching.scoring import MatchScore, score
from vault.blind_index import blind_index
from vault.sealing import Sealer

LINK_CANDIDATE_LIMIT = 500
# Two candidates this close (bits) cannot be told apart by a machine: a person decides.
LINK_MARGIN = 4.0
# A shielded child sharing a key is held for review unless the evidence is clearly against it (bits).
# The flood test (linkage/tests/test_shield_flood.py) measures that every near-variant lands above it.
SHIELD_REVIEW_WEIGHT = -8.0


class Outcome:
    UPDATE = "update"
    NEW = "new"
    REVIEW = "review"


@dataclass(frozen=True)
class IncomingRecord:
    """What linkage compares: the identity, and source identifiers as (scheme, canonical value)."""

    identity: Identity
    identifiers: tuple[tuple[str, str], ...] = ()
    local_authority_id: int | None = None


@dataclass
class Candidate:
    child: Child
    score: MatchScore
    identifiers: dict[str, str] = field(default_factory=dict)

    def identifier_agreement(self, record: IncomingRecord) -> bool | None:
        """True if an identifier agrees, False if one of a shared scheme differs, None if none shared."""
        agreed = None
        for scheme, value in record.identifiers:
            held = self.identifiers.get(scheme)
            if held is None:
                continue
            if held != value:
                return False
            agreed = True
        return agreed

    def summary(self) -> dict[str, Any]:
        """What a review keeps of a candidate: its id, weight and per-field levels and weights."""
        return {
            "child_id": str(self.child.pk),
            "weight": self.score.weight,
            "levels": self.score.levels,
            "weights": self.score.weights,
            "verdict": self.score.verdict,
        }


@dataclass
class LinkDecision:
    outcome: str
    child: Child | None = None
    reason: str = ""
    candidates: list[Candidate] = field(default_factory=list)
    review_la_id: int | None = None
    shielded_hold: bool = False
    # Archived or closed records the incoming one resembles, never shown: so that purging one of them
    # also destroys the review's copy of what may be its identity (linkage.retention).
    resembles: list[UUID] = field(default_factory=list)


def possible_sibling(match: MatchScore) -> bool:
    """Everything may agree but the given name: a twin or sibling, never linked by a machine.

    Fellegi-Sunter treats fields as independent, but twins share family name, date of birth, address and
    often sex, so the sum says "match" (30+ bits) while the only field that tells them apart disagrees.
    A source identifier that agrees (the same NHS number) is the one thing that outweighs it.
    """
    return match.levels.get("given_name") == "else"


def canonical_identifier(scheme: str, value: str) -> str:
    """Identifiers compared without spaces or case (NHS numbers are written 3-3-4)."""
    return identifier_key(scheme, value).rsplit("|", 1)[1]


def record_query_keys(record: IncomingRecord) -> QueryKeys:
    """The engine's query keys, with the record's identifiers added to the most specific tier."""
    tiers = query_key_tiers(record.identity)
    identifiers = frozenset(identifier_key(scheme, value) for scheme, value in record.identifiers)
    return QueryKeys(tiers.exact | identifiers, tiers.widened, tiers.broad)


def _digests(keys: frozenset[str]) -> list[int]:
    return [blind_index(BLOCKING_PURPOSE, key) for key in sorted(keys)]


def _active_entries() -> "QuerySet[BlockingKeyEntry]":
    return BlockingKeyEntry.objects.filter(child__status=RecordStatus.ACTIVE)


def _scored(record: IncomingRecord, children: list[Child]) -> list[Candidate]:
    """Decrypt identity and identifiers of each candidate and score it with the engine (address included)."""
    scored = []
    for child in children:
        sealer = Sealer(child.data_key)
        values = {column: unseal_column(sealer, child, column) for column in IDENTITY_COLUMNS}
        identifiers = {
            s["scheme"]: canonical_identifier(s["scheme"], s["value"])
            for s in sealer.unseal(child, "source_identifiers")
        }
        match = score(record.identity, identity_from_sealed_values(values), use_hidden=True)
        scored.append(Candidate(child, match, identifiers))
    scored.sort(key=lambda c: (-c.score.weight, str(c.child.pk)))
    return scored


def shielded_candidates(record: IncomingRecord) -> list[Candidate]:
    """Every shielded child sharing any key (all tiers, hidden keys too) with the record, scored."""
    ids = set(
        _active_entries()
        .filter(digest__in=_digests(record_query_keys(record).every), child__shielded=True)
        .values_list("child_id", flat=True)
        .distinct()
    )
    children = list(Child.objects.filter(pk__in=ids).select_related("data_key"))
    return _scored(record, children)


def archived_candidates(record: IncomingRecord, status: str = RecordStatus.ARCHIVED) -> list[Candidate]:
    """Archived children (or, with `status=closed`, identities given up for a new one) sharing a key with
    the record, scored: a feed must not recreate one as new."""
    ids = set(
        BlockingKeyEntry.objects.filter(
            digest__in=_digests(record_query_keys(record).every), child__status=status
        )
        .values_list("child_id", flat=True)
        .distinct()[: LINK_CANDIDATE_LIMIT + 1]
    )
    children = list(Child.objects.filter(pk__in=ids).select_related("data_key"))
    return [
        c for c in _scored(record, children) if c.score.verdict != "non" or c.identifier_agreement(record)
    ]


def _ordinary_ids(keys: frozenset[str]) -> set[object]:
    return set(
        _active_entries()
        .filter(digest__in=_digests(keys), child__shielded=False)
        .values_list("child_id", flat=True)
        .distinct()[: LINK_CANDIDATE_LIMIT + 1]
    )


def _review(
    reason: str,
    la_id: int | None,
    candidates: list[Candidate],
    *,
    shielded: bool = False,
    resembles: list[Candidate] | None = None,
) -> LinkDecision:
    return LinkDecision(
        Outcome.REVIEW,
        reason=reason,
        candidates=candidates,
        review_la_id=la_id,
        shielded_hold=shielded,
        resembles=[c.child.pk for c in resembles or []],
    )


def link_decide(*, record: IncomingRecord, la_ids: frozenset[int]) -> LinkDecision:
    """Update, new, or review (see the module docstring). `la_ids`: the LAs the source may update."""
    closed = archived_candidates(record, RecordStatus.CLOSED)
    if closed:
        # An identity given up for a new one (lifecycle.identity): held before anything else, showing no
        # candidate, so it is neither reopened nor recreated, and no review ever sets the new identity
        # beside the old one's details (which a later candidate search could do).
        la_id = closed[0].child.local_authority_id
        return _review(ReviewReason.ARCHIVED, la_id, [], shielded=closed[0].child.shielded, resembles=closed)
    held = [
        c
        for c in shielded_candidates(record)
        if c.score.weight >= SHIELD_REVIEW_WEIGHT or c.identifier_agreement(record)
    ]
    if held:
        return _review(ReviewReason.SHIELDED, held[0].child.local_authority_id, held[:3], shielded=True)

    found = candidates_within(record_query_keys(record), _ordinary_ids, cap=LINK_CANDIDATE_LIMIT)
    if found.refine:
        return _review(ReviewReason.TOO_MANY, record.local_authority_id, [])
    children = list(Child.objects.filter(pk__in=found.found).select_related("data_key"))
    candidates = _scored(record, children)
    plausible = []
    for candidate in candidates:
        agreement = candidate.identifier_agreement(record)
        if candidate.score.verdict != "non" or agreement:
            plausible.append(candidate)
    if not plausible:
        archived = archived_candidates(record)
        if archived:
            # The reviewing team never sees an archived record (data managers only): the review says
            # only that one resembles it, and offers new child or not a match.
            return _review(
                ReviewReason.ARCHIVED, archived[0].child.local_authority_id, [], resembles=archived
            )
        return LinkDecision(Outcome.NEW, candidates=candidates[:3])
    best = plausible[0]
    shown = plausible[:3]
    agreement = best.identifier_agreement(record)
    if agreement is False:
        return _review(ReviewReason.IDENTIFIER_CONFLICT, record.local_authority_id, shown)
    if len(plausible) > 1 and best.score.weight - plausible[1].score.weight < LINK_MARGIN:
        return _review(ReviewReason.TOO_CLOSE, record.local_authority_id, shown)
    if best.score.verdict != "match" and not (agreement and best.score.verdict == "close"):
        return _review(ReviewReason.POSSIBLE_MATCH, record.local_authority_id, shown)
    if possible_sibling(best.score) and not agreement:
        return _review(ReviewReason.SIBLING, record.local_authority_id, shown)
    if moved_and_more(best.score) and not agreement:
        return _review(ReviewReason.POSSIBLE_MATCH, record.local_authority_id, shown)
    if best.child.local_authority_id not in la_ids:
        return _review(ReviewReason.OTHER_LA, record.local_authority_id, shown)
    return LinkDecision(Outcome.UPDATE, child=best.child, candidates=shown)
