"""Resolving a clerical review: link to a candidate, create a new child, or record "not a match".

Lives with the feeds (not in linkage) because linking and creating write through the same provenance
and trust rules as ingest. Each decision is audited in the transaction that carries it out, and kept
as labelled pairs for retraining the matcher (`linkage.labels`). The review's own sealed copy of the
incoming record and candidates has then done its work: it is shredded in the same transaction
(`linkage.retention.review_copy_shred`), leaving who decided what, when and why (a code) in clear.
"""

from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from feeds.ingest import is_adult, record_create
from feeds.models import FeedSource
from feeds.provenance import child_update_from_feed
from feeds.validation import FeedRecord, record_from_json
from linkage.labels import review_labels_record
from linkage.models import ClericalReview, ReviewReason, ReviewStatus
from linkage.retention import review_copy_shred
from linkage.selectors import review_candidate_ids, review_incoming


class ReviewDecision:
    LINK = "link"
    NEW_CHILD = "new_child"
    NOT_A_MATCH = "not_a_match"
    ALL = (LINK, NEW_CHILD, NOT_A_MATCH)


class ReviewClosed(Exception):
    """The review was already decided (two people deciding at once: the first wins)."""


class NewChildRefused(Exception):
    """A new record is refused (the message says why, in words for the page): the row resembles a record
    closed for a new identity, or is about a person of 18 or over."""


def _record(review: ClericalReview) -> tuple[FeedRecord, int, FeedSource]:
    incoming = review_incoming(review)
    source = FeedSource.objects.select_related("user").get(user=review.submitted_by)
    return record_from_json(incoming["record"]), int(incoming["la_id"]), source


_STATUS = {
    ReviewDecision.LINK: ReviewStatus.LINKED,
    ReviewDecision.NEW_CHILD: ReviewStatus.NEW_CHILD,
    ReviewDecision.NOT_A_MATCH: ReviewStatus.NOT_A_MATCH,
}


def _label(
    review: ClericalReview, decision: str, record: FeedRecord, source: FeedSource, child_id: UUID | None
) -> None:
    """The decision as labelled pairs for retraining (before a link changes the child)."""
    candidates = list(
        Child.objects.select_related("data_key").filter(
            pk__in=review_candidate_ids(review), status=RecordStatus.ACTIVE
        )
    )
    review_labels_record(
        review=review,
        status=_STATUS[decision],
        incoming=record.details(issuer_id=source.user.organisation_id).identity(),
        candidates=candidates,
        linked_id=child_id,
    )


def review_decide(
    *, review: ClericalReview, decision: str, by: User, child_id: UUID | None = None
) -> Child | None:
    """Carry out a reviewer's decision; `child_id` (for LINK) must be one of the review's candidates."""
    if decision not in ReviewDecision.ALL:
        raise ValueError("unknown review decision")
    with transaction.atomic():
        locked = ClericalReview.objects.select_for_update().get(pk=review.pk)
        if locked.status != ReviewStatus.OPEN:
            raise ReviewClosed
        record, la_id, source = _record(locked)
        child: Child | None = None
        if decision == ReviewDecision.LINK and (
            child_id is None or str(child_id) not in review_candidate_ids(locked)
        ):
            raise ValueError("link only to one of the review's candidates")
        _label(locked, decision, record, source, child_id if decision == ReviewDecision.LINK else None)
        if decision == ReviewDecision.LINK and child_id is not None:
            # Still this LA's active record (it may have moved or gone since the review opened). Locked:
            # a merge taking it away at this moment finishes first, and then it is not found.
            child = (
                Child.objects.select_for_update(of=("self",))
                .select_related("data_key")
                .filter(pk=child_id, status=RecordStatus.ACTIVE, local_authority_id=locked.local_authority_id)
                .first()
            )
            if child is None:
                raise ValueError("the child is no longer an active record of this local authority")
            # The row's word as of when the source sent it (the review opened then), not the decision's.
            child_update_from_feed(child=child, record=record, source=source, stated_at=locked.created_at)
            locked.status = ReviewStatus.LINKED
        elif decision == ReviewDecision.NEW_CHILD:
            if locked.reason == ReviewReason.CLOSED_IDENTITY:
                # The row is about (or looks like) an identity given up for a new one: a record made from
                # it would be the old identity back, active and searchable (docs/LIFECYCLE.md).
                raise NewChildRefused(
                    "This record resembles one closed for a new identity: choose not a match."
                )
            if is_adult(record.date_of_birth, timezone.localdate()):
                raise NewChildRefused("This person is 18 or over: a record is created for children only.")
            # "None of these" on a hold about a shielded child: if the team is wrong, a visible record of
            # that child would exist (the 2009 failure), so the new one is shielded until the team lifts it.
            child = record_create(
                record=record,
                la=Organisation.objects.get(pk=la_id),
                source=source,
                shielded=locked.shielded_hold,
            )
            locked.status = ReviewStatus.NEW_CHILD
        else:
            locked.status = ReviewStatus.NOT_A_MATCH
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decided_child = child
        # Kept as a plain id too: a merge deleting that child nulls the FK, and the purge of the record
        # carrying it on must still find this decision's labels (`linkage.retention`).
        locked.decided_child_ref = child.pk if child else None
        locked.save(
            update_fields=["status", "decided_by", "decided_at", "decided_child", "decided_child_ref"]
        )
        event_record(
            tag=AuditTag.ReviewDecided,
            actor=by,
            child_id=child.pk if child else None,
            additional={
                "review_id": str(locked.pk),
                "decision": decision,
                "reason": locked.reason,
                "shielded_hold": locked.shielded_hold,
            },
        )
        review_copy_shred(locked)  # last: its key is revoked at the provider before the row is blanked
    return child
