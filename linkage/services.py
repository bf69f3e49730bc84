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
from linkage.linking import Candidate, LinkDecision, canonical_identifier
from linkage.models import ClericalReview, ReviewStatus
from linkage.retention import review_subjects_record
from linkage.selectors import review_candidates, review_incoming
from oversight.misuse import view_screen
from vault.blind_index import blind_index
from vault.crypto import DecryptionFailed
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
    later resends wait on the hold. A review `linkage.holding` holds or moves as a hold is given the token
    of the routing it has then (`review_row_token_renew`): the engine sends the row's resends there."""
    return _row_token(source_id, values, decision.review_la_id, decision.shielded_hold)


def _row_token(source_id: int, values: dict[str, Any], review_la_id: int | None, shielded_hold: bool) -> int:
    values = dict(values)
    if values.get("nhs_number"):  # as `feeds.ingest` states it: compared without spaces (idempotent)
        values["nhs_number"] = canonical_identifier("nhs_number", values["nhs_number"])
    canonical = json.dumps(
        {"source": source_id, "row": values, "review_la": review_la_id, "shielded_hold": shielded_hold},
        sort_keys=True,
        separators=(",", ":"),
    )
    return blind_index(REVIEW_ROW_PURPOSE, canonical)


def review_row_token_renew(review: ClericalReview) -> None:
    """Give a (locked, open) review the token of its row routed as it is now (its LA, held or not), once
    `linkage.holding` has held it (a child it names was shielded) or moved it as a hold (with its shielded
    child): the engine then sends the row's resends to that hold, for that team (`creation_hold`), and
    they must wait on this review rather than open a second review of the same row from the same source.

    An ordinary review following its candidates to another LA keeps its token: the engine still sends that
    row to an ordinary review of the row's own LA, under that token. Made from the review's sealed copy (the
    row as `feeds.ingest` sealed it, and its source: the review's submitter). Nothing is renewed for a review
    with no token (decided, shredded, or opened before tokens), nor one whose copy does not open (a shred is
    closing it, and takes its token). Another open review already holding the renewed token (a hold the
    row's resend opened before this re-routing) keeps it and takes the resends: this one keeps its own, so
    a shield or an accept never fails on the one-open-review index (a savepoint). A shield or an accept
    renews it under the child's key locks, which ingest takes too (the row's keys are the child's): a resend
    judged meanwhile waits, then finds the renewed token. A step after their commit, the daily sweep and a
    placing by hand take no key lock: a resend judged in that instant may still open one more review."""
    if review.row_token is None:
        return
    try:
        record = review_incoming(review)["record"]
    except DecryptionFailed:
        return
    source_id = (
        ClericalReview.objects.filter(pk=review.pk)
        .values_list("submitted_by__feed_source", flat=True)
        .first()
    )
    if source_id is None:
        return
    token = _row_token(source_id, record, review.local_authority_id, review.shielded_hold)
    if token == review.row_token:
        return
    try:
        with transaction.atomic():
            ClericalReview.objects.filter(pk=review.pk).update(row_token=token)
    except IntegrityError:
        return
    review.row_token = token


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


def review_candidates_add(
    *, review: ClericalReview, candidates: list[Candidate], by: User | None
) -> list[Candidate]:
    """Add `candidates` (scored by the engine) to an open, locked review's sealed candidates, note them as
    its subjects, and audit it by ids only (`by`: whose decision found them); the ones added. Records a
    review of the row opened now would name that this one does not (`feeds.review.review_decide`, refusing
    "new child" under its locks). Its page shows those of its LA next time."""
    held = review_candidates(review)
    named = {summary["child_id"] for summary in held}
    added = [c for c in candidates if str(c.row.pk) not in named]
    if not added:
        return []
    Sealer(review.data_key).seal_all(review, {"candidates": [*held, *(c.summary() for c in added)]})
    # The whole sealed row and its key: a key rotated since is followed, the other column re-sealed with it.
    review.save(update_fields=["incoming", "candidates", "data_key"])
    review_subjects_record(review=review, child_ids=[c.row.pk for c in added])
    event_record(
        tag=AuditTag.ReviewCandidatesAdded,
        actor=by,
        additional={"review_id": str(review.pk), "child_ids": sorted(str(c.row.pk) for c in added)},
    )
    return added


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
