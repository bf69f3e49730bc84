"""Practitioner search: exact blind-indexed blocks, then decrypt, score and rank in Python.

Rules (domain.md): a family name plus a date of birth, a postcode, or a given name and gender; fuzzy
names; day/month transposition; at most SEARCH_RESULT_CAP results, otherwise "refine your search".
A shielded child is never found, or ranked, through its address. Every search is audited with its
criteria as blind tokens and the ids it returned, then screened by the misuse rules (oversight.misuse).
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from children.models import BlockingKeyEntry, Child, RecordStatus
from children.records import IDENTITY_COLUMNS, identity_from_sealed_values
from children.services import BLOCKING_PURPOSE
from matching.blocking import query_keys
from matching.identity import Identity
from matching.normalise import fold, normalise_postcode
from matching.scoring import DOB_AGREES, FAMILY_NAME_FLOOR, MatchScore, score
from oversight.misuse import search_screen
from vault.blind_index import blind_index, blind_token
from vault.sealing import Sealer

# Blocks are small by construction; this bounds the work a pathological query can cause.
CANDIDATE_LIMIT = 500
GIVEN_NAME_AGREES = 0.85


@dataclass(frozen=True)
class SearchCriteria:
    family_name: str
    given_name: str = ""
    date_of_birth: date | None = None
    gender: str = ""
    postcode: str = ""

    def meets_minimum(self) -> bool:
        if not fold(self.family_name):
            return False
        return bool(self.date_of_birth or self.postcode or (fold(self.given_name) and self.gender))

    def identity(self) -> Identity:
        postcode = normalise_postcode(self.postcode) if self.postcode else None
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
            "postcode": normalise_postcode(self.postcode) or "" if self.postcode else "",
        }
        return {name: blind_token(f"search-{name}", value) for name, value in values.items() if value}


@dataclass
class SearchResult:
    child: Child
    given_names: str
    family_name: str
    date_of_birth: date
    gender: str
    score: MatchScore

    @property
    def shielded(self) -> bool:
        return self.child.shielded


@dataclass
class SearchOutcome:
    results: list[SearchResult] = field(default_factory=list)
    too_many: bool = False
    matched: int = 0  # accepted matches; 0 when the blocks were too large to score at all
    flagged_for_review: bool = False


def _accepted(criteria: SearchCriteria, match: MatchScore, *, use_hidden: bool) -> bool:
    """Family name must agree, and at least one minimum criterion must agree (never the hidden postcode)."""
    if not match.agrees("family", FAMILY_NAME_FLOOR):
        return False
    if criteria.date_of_birth and match.agrees("dob", DOB_AGREES):
        return True
    if criteria.postcode and use_hidden and match.agrees("postcode", 1.0):
        return True
    return bool(
        criteria.given_name
        and criteria.gender
        and match.agrees("given", GIVEN_NAME_AGREES)
        and match.agrees("gender", 1.0)
    )


class TooManyCandidates(Exception):
    """The blocks hold more children than one search may decrypt: the criteria are too broad."""


def _candidates(identity: Identity) -> list[Child]:
    """Children sharing a blocking key with the query; refuses rather than silently truncating a block."""
    digests = [blind_index(BLOCKING_PURPOSE, key) for key in sorted(query_keys(identity))]
    child_ids = list(
        BlockingKeyEntry.objects.filter(digest__in=digests)
        .filter(Q(hidden=False) | Q(child__shielded=False))
        .filter(child__status=RecordStatus.ACTIVE)
        .values_list("child_id", flat=True)
        .distinct()[: CANDIDATE_LIMIT + 1]
    )
    if len(child_ids) > CANDIDATE_LIMIT:
        raise TooManyCandidates
    return list(Child.objects.filter(pk__in=child_ids).select_related("data_key"))


def child_search_matches(criteria: SearchCriteria) -> list[SearchResult]:
    """Every accepted match, best first (no cap, no audit: callers are the audited search and tests)."""
    query = criteria.identity()
    results = []
    for child in _candidates(query):
        sealer = Sealer(child.data_key)
        values = {column: sealer.unseal(child, column) for column in IDENTITY_COLUMNS}
        use_hidden = not child.shielded
        match = score(query, identity_from_sealed_values(values), use_hidden=use_hidden)
        if _accepted(criteria, match, use_hidden=use_hidden):
            results.append(
                SearchResult(
                    child=child,
                    given_names=values["given_names"],
                    family_name=values["family_name"],
                    date_of_birth=date.fromisoformat(values["date_of_birth"]),
                    gender=values["gender"],
                    score=match,
                )
            )
    results.sort(key=lambda r: (-r.score.total, r.child.index_number))
    return results


def child_search(*, criteria: SearchCriteria, fetched_by: User) -> SearchOutcome:
    """The practitioner search: capped, and never run without its audit event."""
    if not criteria.meets_minimum():
        raise ValueError("search criteria do not meet the minimum")
    cap = settings.SEARCH_RESULT_CAP
    try:
        matches = child_search_matches(criteria)
        too_many = len(matches) > cap
    except TooManyCandidates:
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
