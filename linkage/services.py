"""Opening a clerical review: the incoming record and its candidates sealed under a fresh data key.

Every child the sealed copy names (candidates, and archived or closed records it resembles) is noted as
a blind token, so that purging that child finds the review and destroys the copy (`linkage.retention`).
"""

from typing import Any
from uuid import UUID

from django.db import transaction

from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from linkage.linking import LinkDecision
from linkage.models import ClericalReview
from linkage.retention import review_subjects_record
from oversight.misuse import view_screen
from vault.keys import data_key_build
from vault.sealing import Sealer


def review_open(*, decision: LinkDecision, incoming: dict[str, Any], submitted_by: User) -> ClericalReview:
    """A review for `decision.review_la_id`'s team. Call inside the transaction that records the row."""
    if decision.review_la_id is None:
        raise ValueError("a review needs a local authority to decide it")
    with transaction.atomic():  # the caller's, usually: the key, the sealed copy and its subjects at once
        data_key, dek = data_key_build()
        data_key.save()
        review = ClericalReview(
            local_authority_id=decision.review_la_id,
            shielded_hold=decision.shielded_hold,
            reason=decision.reason,
            submitted_by=submitted_by,
            data_key=data_key,
        )
        Sealer(data_key, dek).seal_all(
            review, {"incoming": incoming, "candidates": [c.summary() for c in decision.candidates]}
        )
        review.save()
        review_subjects_record(
            review=review, child_ids=[*(c.row.pk for c in decision.candidates), *decision.resembles]
        )
    return review


def review_view_audit(*, review: ClericalReview, child_ids: list[UUID], by: User) -> None:
    """Opening a review decrypts its candidates side by side: one event per child shown (a shielded
    hold's child included), naming the review, as a merge comparison is audited; the viewing rules
    count each child (`view_screen`: they may suspend `by`, so the page re-checks before showing it).
    With no candidate shown (none left, or a review like a record closed for a new identity, which names
    none), one event naming the review alone: the incoming row shown is a child's details too."""
    with transaction.atomic():
        shown: list[UUID | None] = [*child_ids] or [None]
        for child_id in shown:
            event_record(
                tag=AuditTag.ReviewViewed,
                actor=by,
                child_id=child_id,
                additional={"review_id": str(review.pk)},
            )
        view_screen(user=by)
