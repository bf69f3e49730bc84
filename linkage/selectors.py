"""Reads of clerical reviews: the queue of an LA, and one review side by side with its candidates."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from children.models import Child, RecordStatus
from children.records import ChildDetails
from children.selectors import child_details
from linkage.models import ClericalReview, ReviewStatus
from linkage.retention import carriers_of
from vault.sealing import Sealer


def review_queue(*, local_authority_id: int, shielded_holds: bool) -> "QuerySet[ClericalReview]":
    """Open reviews of an LA; shielded holds only for those allowed them (the LA team)."""
    reviews = ClericalReview.objects.filter(local_authority_id=local_authority_id, status=ReviewStatus.OPEN)
    return reviews if shielded_holds else reviews.filter(shielded_hold=False)


def review_incoming(review: ClericalReview) -> dict[str, Any]:
    return Sealer(review.data_key).unseal(review, "incoming")


def review_candidates(review: ClericalReview) -> list[dict[str, Any]]:
    return Sealer(review.data_key).unseal(review, "candidates")


def review_candidate_ids(review: ClericalReview) -> set[str]:
    return {c["child_id"] for c in review_candidates(review)}


def review_candidates_shown(review: ClericalReview) -> "QuerySet[Child]":
    """The review's candidates a reviewer is shown, and the only ones a decision labels: still active
    records of the review's LA (one moved to another LA since is that LA's now, and was never judged)."""
    return Child.objects.select_related("data_key").filter(
        pk__in=review_candidate_ids(review),
        status=RecordStatus.ACTIVE,
        local_authority_id=review.local_authority_id,
    )


def candidates_held_now(identities: set[str]) -> "QuerySet[Child]":
    """The active records carrying the children a review names (each record itself, or the one it was
    merged into: `linkage.retention.carriers_of`), wherever they are now: which LAs hold its candidates."""
    ids = {UUID(identity) for identity in identities}
    return Child.objects.filter(pk__in=ids | set(carriers_of(ids).values()), status=RecordStatus.ACTIVE)


class Unseen(StrEnum):
    """Why a record carrying a child a review names is not shown on it (`review_candidates_unseen`)."""

    ELSEWHERE = "elsewhere"  # another LA holds it
    MERGED_AWAY = "merged_away"  # a candidate was merged into a record of the review's LA it does not name


def review_candidates_unseen(review: ClericalReview) -> Unseen | None:
    """Is a record carrying a child the review names (`candidates_held_now`) left off its page
    (`review_candidates_shown` shows only the named records, still of the review's LA)? Held by another
    LA, or a candidate merged since into a record the review does not name: either way a new record from
    the row could be a second record of that child, and its team was not shown it. Read as the rows are
    now, without a lock."""
    named = review_candidate_ids(review)
    held = candidates_held_now(named)
    if held.exclude(local_authority_id=review.local_authority_id).exists():
        return Unseen.ELSEWHERE
    if held.exclude(pk__in=[UUID(identity) for identity in named]).exists():
        return Unseen.MERGED_AWAY
    return None


@dataclass
class CandidateView:
    child: Child
    details: ChildDetails
    weight: float
    verdict: str
    levels: dict[str, str]
    weights: dict[str, float]


def review_side_by_side(review: ClericalReview) -> tuple[dict[str, Any], list[CandidateView]]:
    """The incoming record and each still-active candidate, decrypted, with per-field levels and weights."""
    incoming = review_incoming(review)
    shown = {str(c.pk): c for c in review_candidates_shown(review)}
    views = []
    for summary in review_candidates(review):
        child = shown.get(summary["child_id"])
        if child is None:
            continue
        views.append(
            CandidateView(
                child=child,
                details=child_details(child),
                weight=summary["weight"],
                verdict=summary["verdict"],
                levels=summary["levels"],
                weights=summary["weights"],
            )
        )
    return incoming, views


@dataclass
class MergeRecord:
    """One side of a merge comparison: the record, its details, and what would move with it."""

    child: Child
    details: ChildDetails
    carers: int
    involvements: int


def merge_side_by_side(survivor: Child, duplicate: Child) -> list[MergeRecord]:
    return [
        MergeRecord(
            child=c, details=child_details(c), carers=c.carers.count(), involvements=c.involvements.count()
        )
        for c in (survivor, duplicate)
    ]
