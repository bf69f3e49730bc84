"""Resolving a clerical review: link to a candidate, create a new child, or record "not a match".

Lives with the feeds (not in linkage) because linking and creating write through the same provenance
and trust rules as ingest. Each decision is audited in the transaction that carries it out, and kept
as labelled pairs for retraining the matcher (`linkage.labels`). The review's own sealed copy of the
incoming record and candidates has then done its work: it is shredded in the same transaction
(`linkage.retention.review_copy_shred`), leaving who decided what, when and why (a code) in clear.

A link is the LA team's word that the row is this child; what the row says is written into the record
only as far as its source is entitled now (its local authorities and fields, and a source that may still
submit at all). A row held because it resembles a shielded child of another LA is reviewed by that LA's
team: linking it confirms the identity (kept as labels and in the audit) and writes nothing of a source not
entitled to that LA (`review_link_withheld` says so, for the page). "New child" on such a hold makes the
record where the row says the child lives, shielded: its shield is audited as applied, with a reason naming
the LA whose team decided (`created_shield_reason`), as that LA's record's team alone may lift it.
"""

from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from audit.services import event_record
from audit.tags import AuditTag
from children.key_locks import children_keys_lock
from children.merged_away import key_opens
from children.models import Child, RecordStatus
from children.services import child_rows_locked
from feeds.ingest import incoming_record, is_adult, la_open_locked, record_create
from feeds.models import FeedSource
from feeds.provenance import DeathBeforeBirth, child_update_from_feed
from feeds.validation import FeedRecord, record_from_json
from lifecycle.shielding import SHIELD_REASON_CONTEXT
from linkage.labels import review_labels_record
from linkage.linking import (
    Candidate,
    IncomingRecord,
    KeyHits,
    RecordDigests,
    children_scored,
    creation_hold,
    key_hits,
    ordinary_shown,
    record_digests,
)
from linkage.models import ClericalReview, ReviewReason, ReviewStatus
from linkage.retention import review_copy_shred
from linkage.selectors import (
    CandidateView,
    review_candidate_elsewhere,
    review_candidate_ids,
    review_candidates_shown,
    review_children_ids,
    review_incoming,
    review_shown_ids,
    review_side_by_side,
)
from linkage.services import review_candidates_add
from vault.crypto import DecryptionFailed
from vault.sealing import note_seal


class ReviewDecision:
    LINK = "link"
    NEW_CHILD = "new_child"
    NOT_A_MATCH = "not_a_match"
    ALL = (LINK, NEW_CHILD, NOT_A_MATCH)


class ReviewClosed(Exception):
    """The review was already decided (two people deciding at once: the first wins)."""


# The review's copy no longer opens: a purge of a child it names revoked its key and then failed (the next
# night's purge withdraws the review). Nothing can be compared, so nothing is decided.
COPY_DESTROYED_WORDS = (
    "This review is being closed: a child it named has been purged, and the records it compared were "
    "destroyed with it. Nothing can be decided here."
)


class ReviewCopyDestroyed(ReviewClosed):
    """`COPY_DESTROYED_WORDS`: the review's own key no longer opens."""


def review_copy_opens(review: ClericalReview) -> bool:
    """Does the review's copy still open? Not once a purge revoked its key (`linkage.retention`), the purge
    then failing: the review stays open until the next night's purge withdraws it. Any other key failure
    is a real fault, raised."""
    return review.copy_shredded_at is None and key_opens(review.data_key)


LA_CLOSED_WORDS = (
    "The local authority this record is for has closed: a record cannot be made there. Choose not a match."
)
# "New child" on a row recording a death: the index records a death on a child it holds, never creates one.
DIED_WORDS = (
    "This record gives a date of death: a record is not created for a child who has died. Link it to the "
    "child's record if it is one of those shown, or choose not a match."
)
# "Link" of a row whose date of death is before the date of birth the record would show with it (its own
# or a more trusted source's: `feeds.provenance.DeathBeforeBirth`), refused as the same row sent to the
# feed is (`feeds.provenance.DEATH_BEFORE_RECORDS_BIRTH`): the lifecycle would archive the record for it.
DEATH_BEFORE_BIRTH_WORDS = (
    "This record gives a date of death before the child's date of birth as the record shows it: it cannot "
    "be linked to that record. Nothing was changed. Choose not a match, or another child if it is one of "
    "those shown."
)
# "New child" on a review naming a child another LA now holds (moved since the review opened, or opened
# with it there): the team is not shown that child, and a record made from the row could be a second one.
# The daily sweep or a transfer's accept moves such a review to the team that can see it
# (`linkage.holding.reviews_follow`).
HELD_ELSEWHERE_WORDS = (
    "A child this record was compared with is now a record of another local authority, which is not shown "
    "to you: a new record made from it could be a second record of that child, so none was made. Choose not "
    "a match, or link it to a child shown here if it is one of them."
)
# "New child" posted from a page that did not show every record the review shows now: a candidate was
# merged since into a record the page did not show, or restored by an unmerge under a new id
# (`linkage.selectors.review_candidates_shown`), or came back to the LA. "None of these" was said without seeing it.
SHOWN_CHANGED_WORDS = (
    "The children this record is compared with have changed since you opened this review (a merge, a merge "
    "undone, or a transfer back to your local authority): nothing was made. Look at them again before you "
    "decide."
)


# "New child" on a review while a review of the row opened now would name a record this one does not
# (`linkage.linking.ordinary_shown`: the first three plausible, as `link_decide` names them): made since
# (another review's "new child", a feed, a team), or grown to resemble the row (an update), it could be this
# child. It is added to the review's candidates (`_unnamed_candidates`), so the page shows it.
CANDIDATES_ADDED_WORDS = (
    "A record that could be this child is now among the records this one is compared with, and this review "
    "did not show it: nothing was made. It has been added to the children this record is compared with: "
    "open this review again to see it before you decide."
)
# As above, the record another LA's: added as a review opened now would name it, and, as on such a review,
# not shown to this team (`review_candidates_shown`), so "new child" is refused from then on in the words of
# `HELD_ELSEWHERE_WORDS`; "not a match", or a link to a record shown, still decides the review.
CANDIDATE_ADDED_ELSEWHERE_WORDS = (
    "A record of another local authority that could be this child is now among the records this one is "
    "compared with: nothing was made. It is not shown to you, and a new record made from this one could be a "
    "second record of that child. Choose not a match, or link it to a child shown here if it is one of them."
)


class NewChildRefused(Exception):
    """A new record is refused (the message says why, in words for the page): the row resembles a record
    closed for a new identity, or is about a person of 18 or over."""


class LinkWithheld:
    """Why a link writes nothing of the row into the child: codes (kept in the audit) and words for the page."""

    SOURCE_MAY_NOT_SUBMIT = "source_may_not_submit"
    LA_NOT_ENTITLED = "la_not_entitled"
    FIELD_NOT_ENTITLED = "field_not_entitled"
    MESSAGES = {
        SOURCE_MAY_NOT_SUBMIT: "The source that sent this record may no longer submit records",
        LA_NOT_ENTITLED: "The source that sent this record is not entitled to supply records for your "
        "local authority",
        FIELD_NOT_ENTITLED: "The source that sent this record is no longer entitled to supply all of "
        "its fields",
    }
    SUFFIX = ": linking records that it is this child, and nothing it sent is written into the record."


class WriteVerdict(Protocol):
    """What the access policy answers (access.policy.Decision has this shape)."""

    @property
    def allowed(self) -> bool: ...

    @property
    def reason(self) -> str: ...


# (source, fields the row carries, the child's LA id) -> may a review's link write the row now?
WriteCheck = Callable[[FeedSource, set[str], int], WriteVerdict]
_write_check: list[WriteCheck] = []


def review_write_check_install(check: WriteCheck) -> None:
    """The access policy installs its rule here as the project starts (`access.apps`): feeds sits below
    access and may not import it, and the rule lives in one place (`access.policy.feed_review_write_decide`)."""
    _write_check[:] = [check]


def _link_withheld_code(source: FeedSource, record: FeedRecord, la_id: int) -> str | None:
    """Why linking `record` into a child of LA `la_id` may not write it, by the source's entitlement as it
    is now (it may have changed since the row was sent); None when the row may be written."""
    if not _write_check:
        raise ImproperlyConfigured("no feed review write check installed (access.apps)")
    verdict = _write_check[0](source, set(record.provided), la_id)
    if verdict.allowed:
        return None
    if verdict.reason == "la_not_entitled":
        return LinkWithheld.LA_NOT_ENTITLED
    if verdict.reason == "field_not_entitled":
        return LinkWithheld.FIELD_NOT_ENTITLED
    return LinkWithheld.SOURCE_MAY_NOT_SUBMIT


def review_link_withheld(review: ClericalReview, incoming: dict[str, Any] | None = None) -> str | None:
    """For the review page: why linking this open review would write nothing into the child (words for
    the reviewer, naming no one), or None when a link writes the row as usual.

    `incoming`: the review's copy as the page already decrypted it (`review_side_by_side`), so it is not
    opened twice; read here when not given."""
    if review.status != ReviewStatus.OPEN or review.copy_shredded_at is not None:
        return None
    source = (
        FeedSource.objects.select_related("user__organisation").filter(user=review.submitted_by_id).first()
    )
    row = (incoming if incoming is not None else review_incoming(review)).get("record")
    if source is None or not row:
        return None  # no feed row behind it (a review made otherwise): a link writes nothing of one
    code = _link_withheld_code(source, record_from_json(row), review.local_authority_id)
    return LinkWithheld.MESSAGES[code] + LinkWithheld.SUFFIX if code else None


def review_compared(review: ClericalReview) -> tuple[dict[str, Any], list[CandidateView]]:
    """The review side by side (`linkage.selectors.review_side_by_side`), a record carrying on a
    candidate merged into it since scored against the incoming row by the engine as the feed scores a
    candidate, so the reviewer weighs it as they weigh the others."""

    def rescore(incoming: dict[str, Any], children: list[Child]) -> dict[str, dict[str, Any]]:
        if not incoming.get("record"):
            return {}  # no feed row behind it (a review made otherwise): nothing to score against
        source = FeedSource.objects.select_related("user").filter(user=review.submitted_by_id).first()
        record = incoming_record(
            record_from_json(incoming["record"]),
            la=Organisation.objects.get(pk=int(incoming["la_id"])),
            issuer_id=source.user.organisation_id if source else None,
        )
        try:
            scored = children_scored(record, {child.pk for child in children})
        except DecryptionFailed:
            # One merged away or purged since it was listed (its key revoked, its row not yet gone): none
            # is scored, so none is shown, and "new child" from this page is refused (`SHOWN_CHANGED_WORDS`).
            # Every record's own key still opening, it is a real fault: raised.
            if all(key_opens(child.data_key) for child in children):
                raise
            return {}
        summaries = [c.summary() for c in scored]
        return {summary["child_id"]: summary for summary in summaries}

    return review_side_by_side(review, rescore)


def _record(review: ClericalReview) -> tuple[FeedRecord, int, FeedSource]:
    incoming = review_incoming(review)
    source = FeedSource.objects.select_related("user__organisation").get(user=review.submitted_by)
    return record_from_json(incoming["record"]), int(incoming["la_id"]), source


_STATUS = {
    ReviewDecision.LINK: ReviewStatus.LINKED,
    ReviewDecision.NEW_CHILD: ReviewStatus.NEW_CHILD,
    ReviewDecision.NOT_A_MATCH: ReviewStatus.NOT_A_MATCH,
}


def _label(
    review: ClericalReview,
    decision: str,
    record: FeedRecord,
    source: FeedSource,
    child_id: UUID | None,
    seen: set[str] | None,
) -> None:
    """The decision as labelled pairs for retraining (before a link changes the child): the records the
    review shows that the reviewer's page showed (`seen`; one shown since, a record a candidate was
    merged into after the page opened, was judged by nobody), and the one a link chose. A record removed
    since the page showed it (its key shredded by a merge or purge that then failed: nothing of it can be
    read) is labelled not: the page now leaves it off (`linkage.selectors.review_side_by_side`)."""
    candidates = [
        child
        for child in review_candidates_shown(review)  # none it no longer shows
        if (seen is None or str(child.pk) in seen or child.pk == child_id) and key_opens(child.data_key)
    ]
    review_labels_record(
        review=review,
        status=_STATUS[decision],
        incoming=record.details(issuer_id=source.user.organisation_id).identity(),
        candidates=candidates,
        linked_id=child_id,
    )


def _unnamed_candidates(
    review: ClericalReview, incoming: IncomingRecord, digests: RecordDigests, hits: KeyHits
) -> list[Candidate]:
    """The ordinary records (active, not shielded) a review of the row opened now would name
    (`linkage.linking.ordinary_shown`: `link_decide`'s own rule, the first three plausible) that the review
    does not name, nor a record carrying one on: like compared with like, so a review opened with four or
    more plausible records names what it would name now, and its fourth is never "one it did not show".

    Read under the row's key locks (`review_decide`): a record made under them since is seen, and one being
    made waits for the decision. A shielded record is never one (nor said to exist): a row resembling one
    is made shielded (`creation_hold`). Past the cap the engine names none, and neither does this."""
    named = review_children_ids(review)
    return [c for c in ordinary_shown(incoming, digests, hits) if str(c.row.pk) not in named]


def _linkable(child_id: UUID) -> bool:
    """Is the record a link names one whose key still opens (not removed by a merge or purge that failed
    after its shred)? A record gone altogether is refused under its row lock below, as before."""
    child = Child.objects.select_related("data_key").filter(pk=child_id).first()
    return child is None or key_opens(child.data_key)


def _written(decision: str, withheld: str | None) -> dict[str, Any]:
    """For the audit of a link: whether the row was written into the child, and if not why (a code)."""
    if decision != ReviewDecision.LINK:
        return {}
    return {"written": withheld is None, **({"not_written_because": withheld} if withheld else {})}


def created_shield_reason(*, record_la_id: int, resembled_la_id: int | None, judged: bool) -> str:
    """Why a record made by "new child" is shielded, for its LA team, who alone may lift it (kept sealed
    under the record's key, as a team's own reason is: `lifecycle.shielding`).

    `resembled_la_id`: the LA of the shielded child the row resembled (on a shielded hold, the LA whose team
    decided it, having seen that child); `judged`: the decision was that team's, on the hold (otherwise the
    resemblance was found as "new child" was decided, unseen by the decider). Only the team of the shielded
    child's LA can look at it: a record made in another LA (where the row says the child lives) says to ask
    that team before lifting the shield, or a lift there could make the visible copy of the 2009 failure."""
    resembled = Organisation.objects.filter(pk=resembled_la_id).first() if resembled_la_id else None
    if resembled is None or resembled.pk == record_la_id:
        la, then = "this local authority", "lift the shield once you are sure it is not that child."
    else:
        la = resembled.name
        then = (
            "only that local authority's team can see that child, so ask that team before lifting the shield."
        )
    if judged:
        return (
            f"Created shielded on a clerical review decided as a new child by the team of {la}: the feed record "
            f"was held because it resembled a shielded child of {la}, and {then}"
        )
    return (
        "Created shielded on a clerical review decided as a new child: when it was decided the feed record "
        f"resembled a shielded child of {la}, and {then}"
    )


def _created_shield_record(
    *, child: Child, review: ClericalReview, by: User, resembled_la_id: int | None
) -> None:
    """Audit the shield a "new child" decision put on the record it made, with its reason: without it the
    record's LA team (another LA's, when another LA's team decided a hold) holds a shield nobody applied or
    explained. In the decision's transaction; its team is emailed by the page (`linkage.views`)."""
    reason = created_shield_reason(
        record_la_id=child.local_authority_id, resembled_la_id=resembled_la_id, judged=review.shielded_hold
    )
    event_record(
        tag=AuditTag.ShieldApplied,
        actor=by,
        child_id=child.pk,
        additional={
            "reason_sealed": note_seal(child.data_key, context=SHIELD_REASON_CONTEXT, text=reason),
            "review_id": str(review.pk),
        },
    )


def review_decide(
    *,
    review: ClericalReview,
    decision: str,
    by: User,
    child_id: UUID | None = None,
    recheck: Callable[[ClericalReview], None] | None = None,
    seen: set[str] | None = None,
) -> Child | None:
    """Carry out a reviewer's decision; `child_id` (for LINK) must be one of the records the review
    shows (`review_candidates_shown`: a candidate, or the record one was merged into since).

    `seen`: the ids of the records the reviewer's page showed. "New child" is refused
    (`SHOWN_CHANGED_WORDS`) if the review shows another now, judged under the key locks: "none of these"
    was said without seeing it.

    `recheck` (the page's policy check, raising to refuse) judges the review as locked: one made a shielded
    hold since the page's own check (a child it names was shielded) is the LA team's alone.

    A link by a team whose LA the source is not entitled to (or by the source's entitlement as it is
    now) records the decision and writes nothing of the row (`review_link_withheld`; the audit says so);
    a new child from such a row is refused (`NewChildRefused`), a record being nothing but the row.
    """
    if decision not in ReviewDecision.ALL:
        raise ValueError("unknown review decision")
    with transaction.atomic():
        locked = ClericalReview.objects.select_for_update().get(pk=review.pk)
        if locked.status != ReviewStatus.OPEN:
            raise ReviewClosed
        if not review_copy_opens(locked):  # before the recheck, which reads the candidates from it
            raise ReviewCopyDestroyed
        if recheck is not None:
            recheck(locked)
        record, la_id, source = _record(locked)
        la = Organisation.objects.get(pk=la_id)
        incoming = incoming_record(record, la=la, issuer_id=source.user.organisation_id)
        digests = record_digests(incoming) if decision == ReviewDecision.NEW_CHILD else None
        # The candidates' key locks, as a merge takes them first: a candidate being merged away is then
        # gone or still whole when the labels read it, never a row whose key the merge has just shredded
        # (seen as a KeyRevoked 500 racing a merge on PostgreSQL). For a new child, the row's own keys
        # too, as ingest locks them (one sorted statement): a child shielded, closed or created under
        # them at this moment is seen by the check below, or waits for the new child.
        children_keys_lock(sorted(review_children_ids(locked)), also=digests.locked if digests else None)
        created_shielded: bool | None = None
        child: Child | None = None
        withheld: str | None = None
        if decision == ReviewDecision.LINK and (
            child_id is None or str(child_id) not in review_candidate_ids(locked) | review_shown_ids(locked)
        ):
            raise ValueError("link only to a record the review shows")
        if decision == ReviewDecision.LINK and child_id is not None and not _linkable(child_id):
            # Removed since the page showed it (`children.merged_away.RecordRemoved`): nothing of it can be
            # read, and the row written into it would be lost with it at the next night's purge.
            raise ValueError("the child's record has been removed")
        if decision != ReviewDecision.NEW_CHILD:  # a new child's, once it is judged one (below)
            _label(
                locked, decision, record, source, child_id if decision == ReviewDecision.LINK else None, seen
            )
        refused_words: str | None = None
        if decision == ReviewDecision.LINK and child_id is not None:
            # Still this LA's active record (it may have moved or gone since the review opened). Locked:
            # a merge taking it away at this moment finishes first, and then it is not found.
            child = (
                child_rows_locked()
                .filter(pk=child_id, status=RecordStatus.ACTIVE, local_authority_id=locked.local_authority_id)
                .first()
            )
            if child is None:
                raise ValueError("the child is no longer an active record of this local authority")
            withheld = _link_withheld_code(source, record, child.local_authority_id)
            if withheld is None:
                # The row's word as of when the source sent it (the review opened then), not the decision's;
                # within the source's LAs as they are now (checked again under the child's row lock).
                try:
                    child_update_from_feed(
                        child=child,
                        record=record,
                        source=source,
                        stated_at=locked.created_at,
                        la_ids=frozenset(source.local_authorities.values_list("pk", flat=True)),
                    )
                except DeathBeforeBirth:  # the decision's transaction rolls back: nothing written
                    raise NewChildRefused(DEATH_BEFORE_BIRTH_WORDS) from None
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
            if record.date_of_death is not None:
                # As a feed row that finds no record (`feeds.ingest.DIED_NOT_CREATED`).
                raise NewChildRefused(DIED_WORDS)
            if refused := _link_withheld_code(source, record, la_id):
                # A record is made of nothing but the row: none from a source no longer entitled to it.
                raise NewChildRefused(
                    LinkWithheld.MESSAGES[refused] + ": a record cannot be made from it. Choose not a match."
                )
            # Both read under the candidates' key locks (taken above), so a candidate's transfer or merge
            # that committed before is seen.
            if review_candidate_elsewhere(locked):
                raise NewChildRefused(HELD_ELSEWHERE_WORDS)
            if seen is not None and review_shown_ids(locked) - seen:
                raise NewChildRefused(SHOWN_CHANGED_WORDS)
            if not la_open_locked(la, timezone.localdate()):
                # Closed since the row was sent (a review does not stop a close): its team and data manager
                # are shut out, so nobody could shield, transfer or answer for a child put there. Read under
                # the hold every writer allocating children takes, so a close waits for this child.
                raise NewChildRefused(LA_CLOSED_WORDS)
            # Judged again on the index as it is now: the review may have opened before its candidate
            # (or any child the row resembles) was shielded or closed for a new identity.
            digests = digests or record_digests(incoming)  # made above for every "new child"
            hits = key_hits(digests)
            hold = creation_hold(incoming, hits)
            if hold is not None and hold.reason == ReviewReason.CLOSED_IDENTITY:
                raise NewChildRefused(
                    "This record resembles one closed for a new identity: choose not a match."
                )
            # An ordinary record a review of the row opened now would name and this one does not (made
            # since, by another review's "new child" on this child or a feed, or grown to resemble the
            # row): added to the review (audited), which stays open, and "new child" refused once that is
            # committed, in words saying whether this team is shown it. Nothing else is written.
            if unnamed := _unnamed_candidates(locked, incoming, digests, hits):
                added = review_candidates_add(review=locked, candidates=unnamed, by=by)
                elsewhere = any(c.row.local_authority_id != locked.local_authority_id for c in added)
                refused_words = CANDIDATE_ADDED_ELSEWHERE_WORDS if elsewhere else CANDIDATES_ADDED_WORDS
            else:
                _label(locked, decision, record, source, None, seen)
                # "None of these" on a hold about a shielded child (then or now): if the team is wrong, a
                # visible record of that child would exist (the 2009 failure), so the new one is shielded
                # until the team of its LA (where the row says the child lives) lifts it, told why and whom
                # to ask: another LA's team may have decided the hold, having seen the child it resembled.
                created_shielded = locked.shielded_hold or hold is not None
                child = record_create(record=record, la=la, source=source, shielded=created_shielded)
                if created_shielded:
                    _created_shield_record(
                        child=child,
                        review=locked,
                        by=by,
                        resembled_la_id=locked.local_authority_id
                        if locked.shielded_hold
                        else (hold.review_la_id if hold else None),
                    )
                locked.status = ReviewStatus.NEW_CHILD
        else:
            locked.status = ReviewStatus.NOT_A_MATCH
        if refused_words is None:
            _decided_record(
                locked,
                decision=decision,
                by=by,
                child=child,
                withheld=withheld,
                created_shielded=created_shielded,
            )
    if refused_words is not None:
        raise NewChildRefused(refused_words)
    return child


def _decided_record(
    locked: ClericalReview,
    *,
    decision: str,
    by: User,
    child: Child | None,
    withheld: str | None,
    created_shielded: bool | None,
) -> None:
    """The decision on the review as locked, audited, and its copy shredded: in the decision's transaction."""
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decided_child = child
    # Kept as a plain id too: a merge deleting that child nulls the FK, and the purge of the record
    # carrying it on must still find this decision's labels (`linkage.retention`).
    locked.decided_child_ref = child.pk if child else None
    # Decided, it no longer waits for its row: the next resend is judged afresh, and no token of the row
    # is kept beyond the review's copy.
    locked.row_token = None
    locked.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decided_child",
            "decided_child_ref",
            "row_token",
        ]
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
            **_written(decision, withheld),
            **({"created_shielded": created_shielded} if created_shielded is not None else {}),
        },
    )
    review_copy_shred(locked)  # last: its key is revoked at the provider before the row is blanked
