"""Opening a clerical review: the incoming record and its candidates sealed under a fresh data key.

Every child the sealed copy names (candidates, and archived or closed records it resembles) is noted as
a blind token, so that purging that child finds the review and destroys the copy (`linkage.retention`).

A feed row is also noted, while its review is open, as a keyed blind token of its source and its canonical
values (`review_row_token`): national feeds resend their children every day, and the same row sent again
waits on the review already open (`review_for_row`) instead of opening one more a day.
"""

import json
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction

from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from linkage.linking import Candidate, LinkDecision
from linkage.models import ClericalReview, ReviewStatus
from linkage.retention import review_subjects_record
from linkage.selectors import review_candidates
from oversight.misuse import view_screen
from vault.blind_index import blind_index
from vault.keys import data_key_build
from vault.sealing import Sealer

REVIEW_ROW_PURPOSE = "review-row"


def review_row_token(*, source_id: int, values: dict[str, Any], decision: LinkDecision) -> int:
    """A keyed blind token (HMAC-SHA256 under the index key, 64 bits, as the blocking keys' digests) of a
    feed source, a row's canonical values and whose review the engine sends it to (the team's LA, and
    whether it is held as a shielded child): equal for the same row resent by that source and judged the
    same way, unguessable without the key, and no value readable from it.

    The routing is in it so that a row that could be a shielded child always reaches that child's team: a
    row first sent to an ordinary review, then found to resemble a shielded child (made or shielded since,
    not a child the review names, which `linkage.holding` would move), opens a hold for that team, and its
    later resends wait on the hold."""
    canonical = json.dumps(
        {
            "source": source_id,
            "row": values,
            "review_la": decision.review_la_id,
            "shielded_hold": decision.shielded_hold,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return blind_index(REVIEW_ROW_PURPOSE, canonical)


def _open_review_of_row(row_token: int) -> ClericalReview | None:
    return ClericalReview.objects.filter(row_token=row_token, status=ReviewStatus.OPEN).first()


def review_for_row(
    *, decision: LinkDecision, incoming: dict[str, Any], submitted_by: User, row_token: int
) -> tuple[ClericalReview, bool]:
    """The open review of this row (`row_token`: `review_row_token`), and True: the row waits on it; or a
    review opened for it (`review_open`), and False. Call inside the transaction that records the row.

    The token names the team the row is sent to today (`review_row_token`): a row judged otherwise today
    (held for a shielded child's team) opens its own review. A row waiting is judged again by the review's
    decision, on the index as it is then ("new child" is refused while a record it did not show could be
    this child, and made shielded if a shielded child resembles it: `feeds.review.review_decide`), so
    nothing visible comes of a wait; the decided review's token is cleared, and the next resend is judged
    afresh. Two batches opening one at once: the partial unique index lets one commit, the other's insert
    (a savepoint) fails and it waits on that one."""
    waiting = _open_review_of_row(row_token)
    if waiting is not None:
        return waiting, True
    try:
        with transaction.atomic():
            return review_open(
                decision=decision, incoming=incoming, submitted_by=submitted_by, row_token=row_token
            ), False
    except IntegrityError:
        waiting = _open_review_of_row(row_token)
        if waiting is None:
            raise
        return waiting, True


def review_open(
    *, decision: LinkDecision, incoming: dict[str, Any], submitted_by: User, row_token: int | None = None
) -> ClericalReview:
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
            row_token=row_token,
        )
        Sealer(data_key, dek).seal_all(
            review, {"incoming": incoming, "candidates": [c.summary() for c in decision.candidates]}
        )
        review.save()
        review_subjects_record(
            review=review, child_ids=[*(c.row.pk for c in decision.candidates), *decision.resembles]
        )
    return review


def review_candidates_add(*, review: ClericalReview, candidates: list[Candidate]) -> None:
    """Add `candidates` (scored by the engine) to an open review's sealed candidates, and note them as its
    subjects: records the engine puts among the row's candidates now that it did not show when it opened
    (`feeds.review.review_decide`, refusing "new child" under its locks). Its page shows them next time."""
    held = review_candidates(review)
    named = {summary["child_id"] for summary in held}
    added = [c for c in candidates if str(c.row.pk) not in named]
    if not added:
        return
    Sealer(review.data_key).seal_all(review, {"candidates": [*held, *(c.summary() for c in added)]})
    # The whole sealed row and its key: a key rotated since is followed, the other column re-sealed with it.
    review.save(update_fields=["incoming", "candidates", "data_key"])
    review_subjects_record(review=review, child_ids=[c.row.pk for c in added])


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
