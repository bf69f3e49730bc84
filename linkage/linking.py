"""Deciding what an incoming feed record is: an existing child, a new child, or a question for a person.

The one matching engine serves search and linkage: candidates come from the same blind-indexed blocking
keys (`matching.blocking.query_key_tiers`), each is scored by `matching.scoring.score`, and the verdict
thresholds are the engine's (`verdict`: "match" at or above the upper threshold, "close" between, "non"
below). Linkage adds only what a feed needs on top:

- **Shield safety first.** Before anything else, every shielded child sharing *any* key with the record
  (address-derived keys included: a feed is not a practitioner search, and the 2009 failure was an update
  that missed a shielded child and created a visible duplicate) is scored with its address. Any that is
  not clearly someone else sends the record to that child's LA team; nothing is created or updated.
- **Never create a child the engine could not rule out.** A record whose typed tier is over the cap, or
  whose nearby-date tier is (with nothing plausible at its date), goes to review (`TOO_MANY`).
- **Never auto-link a close call.** Above the upper threshold updates that child, unless a second
  candidate is within LINK_MARGIN bits (review). Between the thresholds is review. Below is a new child.
- **Twins are never auto-linked.** A best candidate whose given name differs outright goes to review
  (a twin or sibling shares everything else), unless an identifier agrees.
- **A move and another difference are never auto-linked.** A best candidate in another postcode district
  whose name or date of birth differs by more than a slip goes to review (`moved_and_more`), unless an
  identifier agrees.
- **Identifiers are strong evidence.** An equal NHS number lifts a close call to a link; a different
  NHS number on the best candidate sends the record to review however well the rest agrees.
- **A record nothing can be read of is no candidate, unless it is shielded.** A merge or purge that
  failed after its shred leaves a record whose own key no longer opens (`lifecycle.removal`): it is
  judged as the nightly removal (or purge) will leave it, gone. Its shield is a clear flag, though, and
  nothing of it can say the row is someone else: a shielded one holds the row for its LA team.
"""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db import connection

from children.candidates import CandidateRow, candidate_rows
from children.key_locks import digests_lock
from children.models import Child, RecordStatus
from children.records import IDENTITY_COLUMNS, identity_from_sealed_values
from children.selectors import child_pk, key_entries_not_ordinary_join
from children.services import BLOCKING_PURPOSE, identifier_key
from lifecycle.removal import own_key_shredded
from linkage.models import ReviewReason
from linkage.moves import moved_and_more
from matching.blocking import (
    NEARBY_DATES,
    Candidates,
    QueryKeys,
    candidates_within,
    query_key_tiers,
    record_keys,
)
from matching.identity import Identity
from matching.nhs import nhs_number_names_no_one
from matching.scoring import MatchScore, fields_compared, score
from vault.blind_index import blind_indexes
from vault.crypto import KeyRevoked
from vault.keys import KeyShredded

LINK_CANDIDATE_LIMIT = 500
# Two candidates this close (bits) cannot be told apart by a machine: a person decides.
LINK_MARGIN = 4.0
# A shielded child sharing a key is held for review unless the evidence is clearly against it (bits).
# Measured with bench/bench_shield_threshold.py at 1,000,000 children (docs/BENCHMARKS.md, "The shield
# hold floor"): a child against itself with any one or two realistic mistakes, a move to another district
# and the other sex included, never scored below +1.0 bits in 613,132 rows; with three, down to -5.6.
# The commonest name with the same given name and sex, its date of birth wholly wrong and a move away
# scores -6.06 (test_shield_floor.py): -8 holds it, so a shielded child whose names and sex agree is held
# whatever its date and address say. -4 and -6 would hold a quarter and a tenth fewer rows about other
# children, and let such rows through to ordinary linkage, where they would become a new, visible child.
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
    """A scored candidate: its row (`children.candidates`: each sealed column decrypted when first read,
    the identifiers only when a decision asks about them) and its match score."""

    row: CandidateRow
    score: MatchScore
    _identifiers: dict[str, str] | None = field(default=None, repr=False)

    @property
    def child(self) -> Child:
        """The candidate as a Child (made on first use: most candidates are never linked or shown)."""
        return self.row.child

    @property
    def identifiers(self) -> dict[str, str]:
        """The candidate's source identifiers by scheme (canonical), decrypted on first use."""
        if self._identifiers is None:
            held = self.row["source_identifiers"]
            self._identifiers = {s["scheme"]: canonical_identifier(s["scheme"], s["value"]) for s in held}
        return self._identifiers

    def identifier_agreement(self, record: IncomingRecord) -> bool | None:
        """True if an identifier agrees, False if one of a shared scheme differs, None if none shared.

        An equal NHS number that names no one (a placeholder or a never-issued range, stored before ingest
        refused them: `matching.nhs`) is no evidence: twins fed with one shared it and were linked."""
        if not record.identifiers:
            return None
        agreed = None
        for scheme, value in record.identifiers:
            held = self.identifiers.get(scheme)
            if held is None:
                continue
            if held != value:
                return False
            if scheme == "nhs_number" and nhs_number_names_no_one(value):
                continue
            agreed = True
        return agreed

    def summary(self) -> dict[str, Any]:
        """What a review keeps of a candidate: its id, weight and per-field levels and weights."""
        return {
            "child_id": str(self.row.pk),
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
    # Archived or closed records the incoming one resembles (or a shielded one nothing can be read of),
    # never shown: so that purging one of them also destroys the review's copy of what may be its
    # identity (linkage.retention).
    resembles: list[UUID] = field(default_factory=list)


# A given name this many letter edits away, though similar, is a sibling's rather than a slip.
SIBLING_EDITS = 2


def possible_sibling(match: MatchScore) -> bool:
    """Everything may agree but the given name: a twin or sibling, never linked by a machine.

    Fellegi-Sunter treats fields as independent, but twins share family name, date of birth, address and
    often sex, so the sum says "match" (30+ bits) while the only field that tells them apart disagrees.
    A twin may also have a near given name. Of the same sex (Amelia and Amira) it is told from a slip by
    its distance: a slip is one letter edit, so a given name only similar and two or more edits away is
    read as a sibling. Of the other sex (Oliver and Olivia, Samuel and Sam) any given name that is not the
    same is; a sex that disagrees beside the same given name is one source's slip. A source identifier
    that agrees (the same NHS number) is the one thing that outweighs any of these.
    """
    given, sex = match.levels.get("given_name"), match.levels.get("gender")
    far = match.given_edits is not None and match.given_edits >= SIBLING_EDITS
    return given == "else" or far or (sex == "else" and given != "exact")


def canonical_identifier(scheme: str, value: str) -> str:
    """Identifiers compared without spaces or case (NHS numbers are written 3-3-4)."""
    return identifier_key(scheme, value).rsplit("|", 1)[1]


def record_query_keys(record: IncomingRecord) -> QueryKeys:
    """The engine's query keys, with the record's identifiers added to the most specific tier."""
    tiers = query_key_tiers(record.identity)
    identifiers = frozenset(identifier_key(scheme, value) for scheme, value in record.identifiers)
    return QueryKeys(tiers.exact | identifiers, tiers.widened, tiers.broad)


@dataclass(frozen=True)
class RecordDigests:
    """A record's keys and their blind indexes, made once per record: the query keys it looks up, tier
    by tier, and `filed`, the keys a child created from it would be filed under."""

    keys: QueryKeys
    filed: frozenset[str]
    digest: dict[str, int]

    def of(self, keys: frozenset[str]) -> list[int]:
        return sorted({self.digest[key] for key in keys})

    @property
    def locked(self) -> list[int]:
        """Every digest a decision about the record reads or may write."""
        return self.of(self.keys.every | self.filed)


def record_digests(record: IncomingRecord) -> RecordDigests:
    keys = record_query_keys(record)
    identifiers = {identifier_key(scheme, value) for scheme, value in record.identifiers}
    filed = frozenset({key.value for key in record_keys(record.identity)} | identifiers)
    values = sorted(keys.every | filed)
    return RecordDigests(
        keys=keys, filed=filed, digest=dict(zip(values, blind_indexes(BLOCKING_PURPOSE, values), strict=True))
    )


def record_keys_lock(digests: RecordDigests) -> None:
    """Lock, till the transaction ends, every key a decision about the record reads or may write.

    Two rows about one new child, ingested at once by two processes, must not both find nothing and
    both create it. A child created from row A is filed under A's keys; row B finds it only through
    one of B's query keys, which is then a key both rows lock: the second waits for the first to
    commit, and its lookup (read committed: each statement sees what was committed before it began)
    sees the first's child. Rows that share no key cannot find each other's children and run side by
    side. A merge, an unmerge or a shield of a child the row finds takes the same locks first
    (`children.key_locks.children_keys_lock`): the row decides before it or after it, never between.
    """
    digests_lock(digests.locked)


@dataclass
class KeyHits:
    """The children filed under a record's keys that a decision needs, read in one statement (one
    snapshot: an update refiling a child's keys at the same moment is seen wholly or not at all).

    Ordinary children are read only through the typed and nearby-date tiers: at 1M children a feed row's
    name keys without a date (the broad tier) hold a median of about 1,000 key entries and up to 15,000,
    and the broad tier is used only when the whole of it fits the candidate cap (`broad_ordinary`, asked
    only then). Every not-ordinary child (shielded, archived, closed) is read through every key."""

    ordinary: dict[int, set[Any]] = field(default_factory=dict)  # active, not shielded, by narrow digest
    shielded: set[Any] = field(default_factory=set)  # active and shielded
    other: dict[str, set[Any]] = field(default_factory=dict)  # archived or closed, by status

    def ordinary_ids(self, digests: list[int]) -> set[Any]:
        found: set[Any] = set()
        for digest in digests:
            found |= self.ordinary.get(digest, set())
        return found


def _key_hits_sql(count: int, narrow: int) -> str:
    """Every not-ordinary entry of `count` digests, and the ordinary ones of the first `narrow` of them
    (an entry joined to no child is an ordinary child's). Every value is a placeholder."""
    every = ", ".join(["%s"] * count)
    narrow_digests = ", ".join(["%s"] * narrow) if narrow else "NULL"
    return (
        "SELECT e.digest, e.child_id, c.status, c.shielded "
        f"{key_entries_not_ordinary_join()}WHERE e.digest IN ({every}) "
        f"AND (c.id IS NOT NULL OR e.digest IN ({narrow_digests}))"
    )


def key_hits(digests: RecordDigests) -> KeyHits:
    """Every shielded, archived and closed child under any of the record's keys, and the ordinary
    children under its typed and nearby-date keys (see `KeyHits`)."""
    hits = KeyHits()
    narrow = digests.of(digests.keys.exact | digests.keys.widened)
    every = digests.of(digests.keys.every)
    if not every:
        return hits
    with connection.cursor() as cursor:
        cursor.execute(_key_hits_sql(len(every), len(narrow)), [RecordStatus.ACTIVE.value, *every, *narrow])
        rows = cursor.fetchall()
    for digest, child_id, status, shielded in rows:
        if status is not None and status != RecordStatus.ACTIVE:
            hits.other.setdefault(status, set()).add(child_pk(child_id))
        elif shielded:
            hits.shielded.add(child_pk(child_id))
        else:
            hits.ordinary.setdefault(digest, set()).add(child_pk(child_id))
    return hits


def broad_ordinary(digests: list[int], *, limit: int) -> set[Any]:
    """The ordinary children under the broad tier's `digests`, at most `limit` of them: reading `limit`
    (the cap plus one) is enough to know the tier does not fit, which is all `candidates_within` needs."""
    if not digests:
        return set()
    placeholders = ", ".join(["%s"] * len(digests))
    sql = (
        f"SELECT DISTINCT e.child_id {key_entries_not_ordinary_join()}"
        f"WHERE e.digest IN ({placeholders}) AND c.id IS NULL LIMIT {int(limit)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [RecordStatus.ACTIVE.value, *digests])
        return {child_pk(child_id) for (child_id,) in cursor.fetchall()}


def ordinary_candidates(digests: RecordDigests, hits: KeyHits, *, cap: int) -> Candidates[Any]:
    """The ordinary children to score: tiers widened while the union stays within `cap`, the engine's
    rule (`matching.blocking.candidates_within`); the broad tier is read only if the engine reaches it."""
    broad = digests.keys.broad

    def lookup(tier: frozenset[str]) -> set[Any]:
        if tier == broad:  # the tiers are disjoint, and an empty one is never looked up
            return broad_ordinary(digests.of(tier), limit=cap + 1)
        return hits.ordinary_ids(digests.of(tier))

    return candidates_within(digests.keys, lookup, cap=cap)


def _scored(
    record: IncomingRecord, rows: list[CandidateRow], *, unreadable: list[CandidateRow] | None = None
) -> list[Candidate]:
    """Score each candidate with the engine (address included), decrypting only the identity columns the
    record compares (`matching.scoring.fields_compared`); identifiers wait till a decision asks.

    With `unreadable`, a record left shredded is put there rather than raised: its own key revoked at the
    provider (`KeyRevoked`) or destroyed in the database (`KeyShredded`) while its row is still there, by a
    merge or purge that failed after its shred (`lifecycle.removal`). Raised, it stopped the whole batch (a
    500 to every resend). Judged by its key as it is now (`own_key_shredded`): a key that opens now, or
    any other failure to open it, is not this, and is raised as it was."""
    compared = fields_compared(record.identity, use_hidden=True)
    scored = []
    for row in rows:
        try:
            identity = identity_from_sealed_values(row, compared)
        except (KeyRevoked, KeyShredded):
            if unreadable is None:
                raise
            now = Child.objects.select_related("data_key").filter(pk=row.pk).first()
            if now is None:  # gone since it was read: no candidate at all
                continue
            if not own_key_shredded(now):
                raise
            unreadable.append(row)
            continue
        scored.append(Candidate(row, score(record.identity, identity, use_hidden=True)))
    scored.sort(key=lambda c: (-c.score.weight, str(c.row.pk)))
    return scored


# The sealed columns scoring and a decision read of a candidate: its identity and identifiers, not the rest
# of its sealed record (a feed update reads the child again, whole and locked).
_CANDIDATE_SEALED = (*IDENTITY_COLUMNS, "source_identifiers")


def _children(ids: set[Any]) -> list[CandidateRow]:
    if not ids:
        return []
    return candidate_rows(Child.objects.filter(pk__in=ids), _CANDIDATE_SEALED, la_name=False)


def children_scored(record: IncomingRecord, ids: set[Any]) -> list[Candidate]:
    """The engine's score of the record against these children, as it scores candidates a key found (a
    review's page scores so the record a candidate was merged into since: `feeds.review.review_compared`)."""
    return _scored(record, _children(ids))


def shielded_candidates(
    record: IncomingRecord, hits: KeyHits | None = None, *, unreadable: list[CandidateRow] | None = None
) -> list[Candidate]:
    """Every shielded child sharing any key (all tiers, hidden keys too) with the record, scored; with
    `unreadable`, those left shredded put there (`_scored`)."""
    hits = hits or key_hits(record_digests(record))
    return _scored(record, _children(hits.shielded), unreadable=unreadable)


def archived_candidates(
    record: IncomingRecord, status: str = RecordStatus.ARCHIVED, hits: KeyHits | None = None
) -> list[Candidate]:
    """Archived children (or, with `status=closed`, identities given up for a new one) sharing a key with
    the record, scored: a feed must not recreate one as new. One whose purge failed after its shred
    (taken again the next night, `lifecycle.removal`) is none: nothing of it can be read, and the row is
    judged as after that purge."""
    hits = hits or key_hits(record_digests(record))
    ids = set(sorted(hits.other.get(status, set()), key=str)[: LINK_CANDIDATE_LIMIT + 1])
    return [
        c
        for c in _scored(record, _children(ids), unreadable=[])
        if c.score.verdict != "non" or c.identifier_agreement(record)
    ]


def _review(
    reason: str,
    la_id: int | None,
    candidates: list[Candidate],
    *,
    shielded: bool = False,
    resembles: list[CandidateRow] | None = None,
) -> LinkDecision:
    return LinkDecision(
        Outcome.REVIEW,
        reason=reason,
        candidates=candidates,
        review_la_id=la_id,
        shielded_hold=shielded,
        resembles=[row.pk for row in resembles or []],
    )


def creation_hold(record: IncomingRecord, hits: KeyHits | None = None) -> LinkDecision | None:
    """The review a record is held for before any ordinary candidate is looked at, or None: it resembles
    an identity closed for a new one, or a shielded child not clearly someone else.

    Asked when a row arrives (`link_decide`), and again when a reviewer decides "new child" on a review
    opened earlier (`feeds.review.review_decide`): its candidate may have been shielded or closed since,
    and a record made from the row as it was judged then would be a visible copy of a shielded child
    (the 2009 failure) or the old identity back."""
    hits = hits or key_hits(record_digests(record))
    closed = archived_candidates(record, RecordStatus.CLOSED, hits)
    if closed:
        # An identity given up for a new one (lifecycle.identity): held before anything else, showing no
        # candidate, so it is neither reopened nor recreated, and no review ever sets the new identity
        # beside the old one's details (which a later candidate search could do). Held for the LA team
        # alone, shielded or not (`linkage.holding`): that the child lives on under a new identity is for
        # the team that gave it to know, not the data manager.
        la_id = closed[0].row.local_authority_id
        return _review(
            ReviewReason.CLOSED_IDENTITY, la_id, [], shielded=True, resembles=[c.row for c in closed]
        )
    unreadable: list[CandidateRow] = []
    held = [
        c
        for c in shielded_candidates(record, hits, unreadable=unreadable)
        if c.score.weight >= SHIELD_REVIEW_WEIGHT or c.identifier_agreement(record)
    ]
    if held:
        return _review(ReviewReason.SHIELDED, held[0].row.local_authority_id, held[:3], shielded=True)
    if unreadable:
        # A shielded record a failed merge left shredded (`lifecycle.removal`): nothing of it can say the
        # row is someone else, and deleted it is not yet (its team must say its shield was checked first),
        # so the row waits for that team, as a hold, never a record beside it. It shows no candidate (none
        # can be read) and names the record as one it resembles: removed, the review goes with it.
        unreadable.sort(key=lambda row: str(row.pk))
        la_id = unreadable[0].local_authority_id
        return _review(ReviewReason.SHIELDED, la_id, [], shielded=True, resembles=unreadable)
    return None


# A review shows the row's first plausible records, best first, at most this many (`review_shown`).
REVIEW_SHOWN_LIMIT = 3


def plausible_candidates(record: IncomingRecord, candidates: list[Candidate]) -> list[Candidate]:
    """The scored candidates the row could be (their score not "non", or an identifier agrees), in the
    order given (`_scored`: best first)."""
    return [c for c in candidates if c.score.verdict != "non" or c.identifier_agreement(record)]


def review_shown(plausible: list[Candidate]) -> list[Candidate]:
    """The plausible candidates a review of the row names (`link_decide`), best first."""
    return plausible[:REVIEW_SHOWN_LIMIT]


def ordinary_shown(record: IncomingRecord, digests: RecordDigests, hits: KeyHits) -> list[Candidate]:
    """The ordinary records (active, not shielded) a review of the row opened now would name, by
    `link_decide`'s own rule: found under its keys within the cap (none past it), scored, plausible, the
    first `REVIEW_SHOWN_LIMIT`; one left shredded by a failed merge or purge is none. Asked again when
    "new child" is decided on an open review (`feeds.review.review_decide`), to compare like with like."""
    found = ordinary_candidates(digests, hits, cap=LINK_CANDIDATE_LIMIT)
    if found.refine:
        return []
    return review_shown(plausible_candidates(record, _scored(record, _children(found.found), unreadable=[])))


def link_decide(
    *, record: IncomingRecord, la_ids: frozenset[int], digests: RecordDigests | None = None
) -> LinkDecision:
    """Update, new, or review (see the module docstring). `la_ids`: the LAs the source may update.

    Every key is looked up once (`key_hits`), and the closed, shielded, ordinary and archived
    candidates are told apart from that one read. `digests`: the record's, if the caller made them.
    """
    digests = digests or record_digests(record)
    hits = key_hits(digests)
    if hold := creation_hold(record, hits):
        return hold
    found = ordinary_candidates(digests, hits, cap=LINK_CANDIDATE_LIMIT)
    if found.refine:
        return _review(ReviewReason.TOO_MANY, record.local_authority_id, [])
    # A record left shredded (a merge failed after its shred) is no candidate: the survivor of that merge
    # is one, readable, and the nightly run deletes this one (`lifecycle.removal`).
    candidates = _scored(record, _children(found.found), unreadable=[])
    plausible = plausible_candidates(record, candidates)
    if not plausible:
        # Looked for first, whatever the cap: an archived record is found from the row's own keys, and a
        # review naming the record the row resembles says more than "too many" naming none.
        archived = archived_candidates(record, RecordStatus.ARCHIVED, hits)
        if archived:
            # The reviewing team never sees an archived record (data managers only): the review says
            # only that one resembles it, and offers new child or not a match.
            la_id = archived[0].row.local_authority_id
            return _review(ReviewReason.ARCHIVED, la_id, [], resembles=[c.row for c in archived])
        if found.over_cap == NEARBY_DATES:
            # The children born a keying mistake from the row's date were too many to compare, and nothing
            # at its date is plausible: the row may be about one of them, its date mistyped. A person
            # decides; created, it would be a duplicate of a child never looked at. (Only that tier: the
            # name-only tier is over the cap for most rows of a common name at national scale, and a row
            # nothing dated resembles is a new child.)
            return _review(ReviewReason.TOO_MANY, record.local_authority_id, [])
        return LinkDecision(Outcome.NEW, candidates=candidates[:3])
    best = plausible[0]
    shown = review_shown(plausible)
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
    if best.row.local_authority_id not in la_ids:
        return _review(ReviewReason.OTHER_LA, record.local_authority_id, shown)
    return LinkDecision(Outcome.UPDATE, child=best.child, candidates=shown)
