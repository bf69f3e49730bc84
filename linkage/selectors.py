"""Reads of clerical reviews: the queue of an LA, and one review side by side with its candidates."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from children.merged_away import key_opens
from children.models import Child, RecordStatus
from children.records import ChildDetails
from children.selectors import child_details
from linkage.models import ClericalReview, ReviewStatus
from linkage.retention import carriers_of
from vault.crypto import DecryptionFailed
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


def _carried_on(identities: set[str]) -> set[UUID]:
    """These children and the live records carrying on those merged away since (`carriers_of`)."""
    ids = {UUID(identity) for identity in identities}
    return ids | set(carriers_of(ids).values())


def review_candidates_shown(review: ClericalReview) -> "QuerySet[Child]":
    """The records a reviewer is shown, and the only ones a decision labels or links: the review's
    candidates still active records of the review's LA, and the record of that LA carrying on a candidate
    merged into it since, or restored by an unmerge under a new id (`carriers_of`: the same child, now
    under that record). One moved to another LA since is that LA's now, and was never judged."""
    return Child.objects.select_related("data_key").filter(
        pk__in=_carried_on(review_candidate_ids(review)),
        status=RecordStatus.ACTIVE,
        local_authority_id=review.local_authority_id,
    )


def review_shown_ids(review: ClericalReview) -> set[str]:
    """The ids of `review_candidates_shown`, as the page posts them back."""
    return {str(pk) for pk in review_candidates_shown(review).values_list("pk", flat=True)}


def review_children_ids(review: ClericalReview) -> set[str]:
    """The children a review names and the records carrying on those merged away since, wherever they
    are: whose key locks a decision takes (`children.key_locks`), so that a merge or transfer of any of
    them committed before is seen and one after waits. Read without a lock: a merge committing in that
    instant gives a carrier whose keys are not locked (its rows are, where the decision reads them)."""
    return {str(pk) for pk in _carried_on(review_candidate_ids(review))}


def candidates_held_now(identities: set[str]) -> "QuerySet[Child]":
    """The active records carrying the children a review names (each record itself, or the one it was
    merged into: `linkage.retention.carriers_of`), wherever they are now: which LAs hold its candidates."""
    return Child.objects.filter(pk__in=_carried_on(identities), status=RecordStatus.ACTIVE)


def review_candidate_elsewhere(review: ClericalReview) -> bool:
    """Is a record carrying a child the review names (`candidates_held_now`) held by another LA, so left
    off its page (`review_candidates_shown` shows the review's LA's records only)? A new record from the
    row could then be a second record of that child, and its team was not shown it. (A candidate merged
    since into a record of the review's LA is shown: `review_candidates_shown`.) Read as the rows are now, without
    a lock."""
    held = candidates_held_now(review_candidate_ids(review))
    return held.exclude(local_authority_id=review.local_authority_id).exists()


@dataclass
class CandidateView:
    child: Child
    details: ChildDetails
    weight: float
    verdict: str
    levels: dict[str, str]
    weights: dict[str, float]
    # Not named by the review: a record carrying a candidate on since (`review_candidates_shown`).
    carrier: bool = False


# The engine's comparison of the review's incoming record with records the review did not score (the
# carriers), as a candidate's summary: `linkage.linking.Candidate.summary`.
Rescore = Callable[[dict[str, Any], list[Child]], dict[str, dict[str, Any]]]


def review_side_by_side(
    review: ClericalReview, rescore: Rescore
) -> tuple[dict[str, Any], list[CandidateView]]:
    """The incoming record and each record shown (`review_candidates_shown`), decrypted, with per-field
    levels and weights: as the review scored a candidate, and for a record carrying one on, as `rescore`
    scores it now (one it does not score is left off the page, so "new child" is then refused:
    `feeds.review.SHOWN_CHANGED_WORDS`)."""
    incoming = review_incoming(review)
    shown = {str(c.pk): c for c in review_candidates_shown(review)}
    summaries = [s for s in review_candidates(review) if s["child_id"] in shown]
    scored = {s["child_id"] for s in summaries}
    carriers = [child for pk, child in sorted(shown.items()) if pk not in scored]
    rescored = rescore(incoming, carriers) if carriers else {}
    views = []
    for summary in [*summaries, *rescored.values()]:
        child = shown[summary["child_id"]]
        try:
            details = child_details(child)
        except DecryptionFailed:
            # Merged away or purged since it was listed (its key revoked at the provider, its row not yet
            # gone): left off, as a moment later, not a server error. "New child" from this page is then
            # refused, the record carrying it on (if any) not shown (`feeds.review.SHOWN_CHANGED_WORDS`).
            # A key refusing while the record's own opens is a real fault: raised.
            if key_opens(child.data_key):
                raise
            continue
        views.append(
            CandidateView(
                child=child,
                details=details,
                weight=summary["weight"],
                verdict=summary["verdict"],
                levels=summary["levels"],
                weights=summary["weights"],
                carrier=summary["child_id"] in rescored,
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
