"""An open clerical review naming a child who is shielded becomes a shielded hold, in that transaction.

"Naming" includes every record merged into the child (`linkage.retention.carried_identities`): a review
opened about a duplicate is about the shielded child once the team merges them, and a merge into a record
already shielded sends the signal too, once the survivor carries the duplicate's identities.

A review opened before the shield offered the child as a candidate to whoever works the LA's queue (the
data manager included). Once the child is shielded, only its LA team may see it or decide anything about
it (`access.policy`): the review stays open, but moves to the shielded holds only the team is shown. It
stays held if the shield is lifted later (the team that held it decides it). Lifecycle and merges send
`children.signals.shield_applied`; neither may import this floor.

The shield's transaction already holds the child's row (and a merge the children's key locks), which a
decision of the review takes after the review's row (`feeds.review.review_decide`): waiting here for a
review a decision holds would close that circle and PostgreSQL would fail one of the two, the shield
perhaps. So a review a decision holds at this moment is skipped, and held once the shield has committed
(by then holding nothing else), if that decision did not close it.

A hold follows its child. Once another LA accepts the record (`lifecycle.moves.transfer_accepted`), the
old team is shown no candidate (`review_candidates_shown`: the child is not its record) and the new team,
the only one that may now decide about the child, was never shown the hold: the accept moves each hold of
the old LA naming the child (or a record merged into it) to the new LA, in its transaction, unless the
review also names another child still of the old LA (that team can still judge it), or a shielded child
another LA holds (it follows its shielded child, never another child away from it: that team would see the
row and not the shielded child, and could link the row into a visible record). The accept holds the
child's key locks and row, as a shield does, so the same circle is avoided the same way: a hold a decision
holds is skipped, and moved once the accept has committed, if still open and the child still elsewhere.
An after-commit step lost (the process dying between the commit and the step) is made good by the daily
sweep (`linkage.holds_sweep`, `manage.py holds_sweep`).

An ordinary review follows its children too (`reviews_follow`): once every child it names is another
LA's, the old team is shown no candidate and could decide "new child", a second record of a child another
LA holds. The accept moves it, the same way, to the one LA that holds them all; one also naming a child
still of the old LA stays, unless it names a child shielded in another LA (`ordinary_review_las`): it
goes where the same row sent now would, held for that child's LA team, since its own team would be shown
the row and could link it into a visible record. Once a shield commits, the ordinary reviews of other LAs
naming its child are put right the same way (`_reviews_elsewhere_follow`): an accept that found the
child's row held by the shield left them where they were, and a review still naming a child of its own LA
goes to the shielded child's team.

A row resembling a record closed for a new identity (`ReviewReason.CLOSED_IDENTITY`) is held from its
opening (`linkage.linking.creation_hold`), shielded or not: it names the identity given up, and that there is a new one is for the LA team
that made it to know, not the data manager.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.db import OperationalError, transaction
from django.db.models import QuerySet
from django.dispatch import receiver

from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from children.signals import shield_applied
from lifecycle.moves import transfer_accepted
from linkage.models import ClericalReview, ReviewReason, ReviewStatus
from linkage.retention import carried_identities, review_subject_token
from linkage.selectors import candidates_held_now, review_candidate_ids
from linkage.services import review_row_token_renew
from vault.crypto import DecryptionFailed

logger = logging.getLogger(__name__)


def _open() -> "QuerySet[ClericalReview]":
    """Reviews a shield may still hold: open, not held yet, their copy not shredded."""
    return ClericalReview.objects.filter(
        status=ReviewStatus.OPEN, shielded_hold=False, copy_shredded_at__isnull=True
    )


def reviews_mark_held(reviews: list[ClericalReview]) -> None:
    """Hold each (locked, open) review for the LA team, audited by review id."""
    for review in reviews:
        review.shielded_hold = True
        review.save(update_fields=["shielded_hold"])
        # Its row's resends are now held for this team by the engine: they wait on this review.
        review_row_token_renew(review)
        event_record(tag=AuditTag.ReviewHeld, actor=None, additional={"review_id": str(review.pk)})


@receiver(shield_applied, dispatch_uid="linkage.holding.shield_applied")
def reviews_hold(sender: Any, child: Child, **_: Any) -> None:
    """Hold each open review of the child's LA that names it or a record merged into it, audited by
    review id.

    The candidates are sealed, so the LA's open reviews not yet held are unsealed (without a lock) to
    find them: a shield is rare, and an LA's open queue is small next to its records. Only the reviews
    naming the child (or whose copy is being shredded at this moment) are then locked and read again,
    each skipped if a decision holds it (see the module's note).
    """
    identities = _identities(child)
    # The reviews of other LAs naming the child: now, under the shield's own locks (skipping, never
    # waiting for, a review or a child's row someone holds), and again once the shield has committed, for
    # what was busy now (see `_reviews_elsewhere_follow`).
    try:
        _reviews_elsewhere_put_right(identities, child.local_authority_id)
    except Exception:
        # Never the shield's failure (the child would stay unshielded): its savepoint is rolled back, and
        # the step after the commit, then the daily sweep, do it again.
        logger.exception("reviews of other LAs naming a shielded child left to the step after the commit")
    transaction.on_commit(
        lambda: _reviews_elsewhere_follow(identities, child.local_authority_id), robust=True
    )
    waiting = _open().select_related("data_key").filter(local_authority_id=child.local_authority_id)
    naming = [review.pk for review in waiting if _names(review, identities) is not False]
    if not naming:
        return
    locked = list(_locked(naming, skip_locked=True))
    reviews_mark_held([review for review in locked if _names(review, identities)])
    busy = sorted(set(naming) - {review.pk for review in locked})
    if busy:
        transaction.on_commit(lambda: _reviews_hold_after(busy, child), robust=True)


def _reviews_elsewhere_follow(identities: set[str], la_id: int) -> None:
    """Once a shield has committed: the ordinary reviews of other LAs naming the child (found by its
    subject tokens, as `reviews_follow` finds them) go where an accept would have put them, held there if
    the child is a shielded record of that LA (`review_follow_candidates`). One whose own LA still holds
    another child it names goes too, to the shielded child's team (`ordinary_review_las`).

    A transfer's accept moving such a review to the shielded child's LA never waits for a child's row: a
    shield holding it at that moment made the accept, and its step after the commit, leave the review
    unheld in the old LA's queue (this shield looked in its own LA only) until the nightly sweep. Run
    after the commit, whichever of the two commits second finds the other done. Run first in the shield's
    own transaction too (`reviews_hold`), skipping what it would wait for: a review naming a child shielded
    in another LA then moves with the shield, never shown meanwhile to the old LA's team. A review or a
    child's row someone holds now is left to the sweep."""
    _reviews_elsewhere_put_right(identities, la_id)


def _reviews_elsewhere_put_right(identities: set[str], la_id: int) -> None:
    """`_reviews_elsewhere_follow`'s work, in a transaction of its own or a savepoint of the shield's:
    each review and child row found held is skipped, never waited for."""
    tokens = [review_subject_token(identity) for identity in identities]
    with transaction.atomic():
        naming = (
            _open()
            .exclude(local_authority_id=la_id)
            .exclude(reason=ReviewReason.CLOSED_IDENTITY)
            .filter(subjects__token__in=tokens)
            .values_list("pk", flat=True)
        )
        for review in list(_locked(sorted(set(naming)), skip_locked=True)):
            try:
                review_follow_candidates(review, identities)
            except ChildrenBusy:
                continue


def _names(review: ClericalReview, identities: set[str]) -> bool | None:
    """Whether the review names one of the child's identities (its own, or a record merged into it: a
    review opened about that record is about this child now); None if its copy does not open: a decision
    or a purge is shredding it (the key is revoked first, the row blanked on commit), so it is looked at
    again locked."""
    try:
        return bool(identities & review_candidate_ids(review))
    except DecryptionFailed:
        return None


def _identities(child: Child) -> set[str]:
    return {str(pk) for pk in carried_identities(child.pk)}


def _locked(ids: list[Any], *, skip_locked: bool) -> "QuerySet[ClericalReview]":
    return (
        _open()
        .filter(pk__in=ids)
        .select_for_update(of=("self",), skip_locked=skip_locked)
        .prefetch_related("data_key")
        .order_by("pk")
    )


def _reviews_hold_after(ids: list[Any], child: Child) -> None:
    """Once the shield has committed: hold those reviews a decision held then and left open."""
    with transaction.atomic():
        identities = _identities(child)
        reviews_mark_held(
            [review for review in _locked(ids, skip_locked=False) if _names(review, identities)]
        )


def _holds_of(la_id: int) -> "QuerySet[ClericalReview]":
    """An LA's open holds, their copy not shredded: those a transfer of a child they name may move.

    Not a closed-identity review: it names no candidate (`linkage.linking.creation_hold`) and stays with
    the team that closed the identity, so unsealing it (a key unwrapped at the provider, inside the
    accept's locks) could move nothing."""
    return ClericalReview.objects.filter(
        status=ReviewStatus.OPEN, shielded_hold=True, copy_shredded_at__isnull=True, local_authority_id=la_id
    ).exclude(reason=ReviewReason.CLOSED_IDENTITY)


@receiver(transfer_accepted, dispatch_uid="linkage.holding.transfer_accepted")
def holds_follow(sender: Any, child_id: Any, from_la_id: int, to_la_id: int, **_: Any) -> list[str]:
    """Move the old LA's reviews naming the child to the new LA (its holds, and its ordinary reviews
    every child of which the new LA now holds: `reviews_follow`); the ids moved, sorted."""
    identities = {str(pk) for pk in carried_identities(child_id)}
    return sorted(
        [*_holds_follow(identities, child_id, from_la_id, to_la_id), *reviews_follow(identities, from_la_id)]
    )


def _holds_follow(identities: set[str], child_id: Any, from_la_id: int, to_la_id: int) -> list[str]:
    """Move the old LA's holds naming the child to the new LA; the ids moved. As `reviews_hold`: found
    unsealed without a lock, then locked skipping any a decision holds, moved after the commit if still
    open (see the module's note)."""
    waiting = _holds_of(from_la_id).select_related("data_key")
    naming = [review.pk for review in waiting if _names(review, identities) is not False]
    if not naming:
        return []
    locked = list(_holds_locked(naming, from_la_id, skip_locked=True))
    moved = _follow(locked, identities, from_la_id, to_la_id)
    busy = sorted(set(naming) - {review.pk for review in locked})
    if busy:
        transaction.on_commit(lambda: _holds_follow_after(busy, child_id, from_la_id), robust=True)
    return moved


def _holds_locked(ids: list[Any], la_id: int, *, skip_locked: bool) -> "QuerySet[ClericalReview]":
    return (
        _holds_of(la_id)
        .filter(pk__in=ids)
        .select_for_update(of=("self",), skip_locked=skip_locked)
        .prefetch_related("data_key")
        .order_by("pk")
    )


def _follow(reviews: list[ClericalReview], identities: set[str], from_la_id: int, to_la_id: int) -> list[str]:
    """Move to `to_la_id` each locked review naming the child and no other active child of the old LA.

    Each copy is unsealed once here: a purge or a decision revokes its key at the provider before it takes
    the row, so a second read could fail where the first did not (a `KeyRevoked` aborting the accept). A
    copy that does not open is left: its shred is closing it."""
    moved = []
    for review in reviews:
        try:
            named = review_candidate_ids(review)
        except DecryptionFailed:
            continue
        if not identities & named or _named_still_there(named - identities, from_la_id):
            continue
        if _shielded_elsewhere(named, to_la_id):
            continue  # it follows its shielded child, never another away from it
        review_follows(review, from_la_id, to_la_id)
        moved.append(str(review.pk))
    return moved


def review_follows(review: ClericalReview, from_la_id: int, to_la_id: int, *, by_hand: bool = False) -> None:
    """Move a (locked, open) review to the LA that now holds its child, audited by review and LA ids
    (`by_hand`: an operator placed it, `linkage.placing`)."""
    review.local_authority_id = to_la_id
    review.save(update_fields=["local_authority"])
    if review.shielded_hold:
        # A hold goes with its shielded child, and the engine sends its row's resends to that child's team.
        review_row_token_renew(review)
    event_record(
        tag=AuditTag.ReviewFollowed,
        actor=None,
        additional={
            "review_id": str(review.pk),
            "from_la_id": from_la_id,
            "to_la_id": to_la_id,
            **({"placed_by_hand": True} if by_hand else {}),
        },
    )


def _shielded_elsewhere(named: set[str], la_id: int) -> bool:
    """Is a shielded child the review names (or the record carrying one on) an active record of an LA
    other than `la_id`? A hold is that child's team's to judge: moved with another of its children to an
    LA not holding it, that team would see the row and not the child, and could link the row into a
    visible record of its own. Left where it is, the daily sweep reports it for a person
    (`linkage.placing` places it only with the shielded child's LA)."""
    return candidates_held_now(named).filter(shielded=True).exclude(local_authority_id=la_id).exists()


def _named_still_there(others: set[str], la_id: int) -> bool:
    """Is one of `others` (the review's other candidates) still an active record of `la_id`, whose team
    can judge the review?"""
    return (
        bool(others)
        and Child.objects.filter(pk__in=others, local_authority_id=la_id, status=RecordStatus.ACTIVE).exists()
    )


def _holds_follow_after(ids: list[Any], child_id: Any, from_la_id: int) -> None:
    """Once the accept has committed: move the holds a decision held then and left open, to the child's LA
    as it is now (locked after the reviews, as a decision locks them: moved again since, it is followed
    again; gone or ended, nothing moves). Each move is audited (`linkage:review:followed`), as those
    the accept made itself are."""
    with transaction.atomic():
        reviews = list(_holds_locked(ids, from_la_id, skip_locked=False))
        child = Child.objects.select_for_update().filter(pk=child_id, status=RecordStatus.ACTIVE).first()
        if not reviews or child is None or child.local_authority_id == from_la_id:
            return
        identities = {str(pk) for pk in carried_identities(child_id)}
        _follow(reviews, identities, from_la_id, child.local_authority_id)


def other_las_holding(children: Iterable[Child], own_la_id: int) -> set[int]:
    """The LAs other than `own_la_id` holding the (active) children a review names, or none when
    `own_la_id` still holds one of them (its team can judge the review) or none is active: one LA, the
    review follows its children there; two or more, which team judges it is a person's call."""
    las = {child.local_authority_id for child in children}
    return set() if own_la_id in las else las


def ordinary_review_las(children: Iterable[Child], own_la_id: int) -> set[int]:
    """Where an ordinary review of `own_la_id` naming the (active) `children` goes now, as the same row
    sent now would (`linkage.linking.creation_hold`: a row resembling a shielded child is held for that
    child's LA team): the LAs other than `own_la_id` holding a shielded child it names, unless
    `own_la_id` holds one too (it is then a hold there: `shields_one_of`); with none shielded, the LAs
    holding its children (`other_las_holding`). One LA, the review goes there (held, if a shielded child
    of that LA is named: `shields_one_of`); two or more, a person's call.

    Its own LA still holding another child it names no longer keeps a review naming a child shielded
    elsewhere: its team (its data manager included) would be shown the row, which may say where the
    shielded child lives, and could link it into a visible record of its own."""
    children = list(children)
    shielding = {child.local_authority_id for child in children if child.shielded}
    if shielding:
        return set() if own_la_id in shielding else shielding
    return other_las_holding(children, own_la_id)


def review_shielded_elsewhere(review: ClericalReview) -> bool:
    """Does the review name (or a record carrying on) a shielded child an LA other than its own holds, as
    the rows are now, without a lock? Linking the row is then refused (`linkage.views`): it may be that
    child, and only its team may judge it (the review goes there: `ordinary_review_las`). A copy that no
    longer opens names nothing."""
    try:
        named = review_candidate_ids(review)
    except DecryptionFailed:
        return False
    return _shielded_elsewhere(named, review.local_authority_id)


def _ordinary_of(la_id: int) -> "QuerySet[ClericalReview]":
    """An LA's open reviews not held, their copy not shredded (a closed-identity review is always held)."""
    return ClericalReview.objects.filter(
        status=ReviewStatus.OPEN, shielded_hold=False, copy_shredded_at__isnull=True, local_authority_id=la_id
    ).exclude(reason=ReviewReason.CLOSED_IDENTITY)


def reviews_follow(identities: set[str], from_la_id: int) -> list[str]:
    """In the accept's transaction: move each ordinary review of the old LA naming the child, every
    child of which one other LA (the new one) now holds, to that LA's team; the ids moved.

    Left with the old team, its team was shown no candidate (`review_candidates_shown`) and could decide
    "new child", a second record of a child another LA holds. Found through the reviews' subject tokens
    (`linkage.retention`: a blind token per child the copy names), so only the reviews that may name the
    child are unsealed; then locked skipping any a decision holds (as holds are: see the module's note),
    and those moved once the accept has committed, if still open. A review also naming a child still of
    the old LA stays (that team can judge it); one whose children two or more other LAs hold is left for
    the daily sweep to report."""
    tokens = [review_subject_token(identity) for identity in identities]
    naming = sorted(
        set(_ordinary_of(from_la_id).filter(subjects__token__in=tokens).values_list("pk", flat=True))
    )
    if not naming:
        return []
    locked = list(_ordinary_locked(naming, from_la_id, skip_locked=True))
    moved, busy = [], sorted(set(naming) - {review.pk for review in locked})
    for review in locked:
        try:
            if review_follow_candidates(review, identities):
                moved.append(str(review.pk))
        except ChildrenBusy:
            busy.append(review.pk)
    if busy:
        transaction.on_commit(lambda: _reviews_follow_after(busy, identities, from_la_id), robust=True)
    return moved


def _ordinary_locked(ids: list[Any], la_id: int, *, skip_locked: bool) -> "QuerySet[ClericalReview]":
    return (
        _ordinary_of(la_id)
        .filter(pk__in=ids)
        .select_for_update(of=("self",), skip_locked=skip_locked)
        .prefetch_related("data_key")
        .order_by("pk")
    )


class ChildrenBusy(Exception):
    """Another writer holds the row of a child a review names at this moment (`children_locked_now`)."""


def children_locked_now(identities: set[str]) -> list[Child]:
    """The active records carrying any of `identities` (`linkage.selectors.candidates_held_now`), their
    rows locked in id order for the rest of the transaction, or `ChildrenBusy` at once if someone holds
    one: a follow, the sweep and a placing by hand never wait for a child's row. In a savepoint, so a lock
    refused leaves the caller's transaction usable."""
    try:
        with transaction.atomic():
            return list(
                candidates_held_now(identities).select_for_update(of=("self",), nowait=True).order_by("pk")
            )
    except OperationalError:  # PostgreSQL's "lock not available"
        raise ChildrenBusy from None


def shields_one_of(children: list[Child], la_id: int) -> bool:
    """Is one of `children` a shielded record of LA `la_id` (a review there is then a hold)?"""
    return any(child.shielded and child.local_authority_id == la_id for child in children)


def review_follow_candidates(review: ClericalReview, identities: set[str]) -> bool:
    """Move a (locked, open, ordinary) review naming one of `identities` to the one other LA holding
    every child it names, as a hold follows its child (`review_follows`, audited the same way), or to the
    one other LA holding a shielded child it names (`ordinary_review_las`); held there at once if one of
    them is a shielded child of that LA. True if it moved.

    The children's rows are locked before they are read: a shield of one of them (which holds its row)
    that committed first is seen, and the review is held as it moves; one arriving after waits for this
    move, then finds the review in that LA and holds it. Read unlocked, a shield committing in between
    looked for reviews of that LA naming the child while this move was not committed, and the review went
    there unheld until the nightly sweep. A row someone holds is never waited for (two accepts of two such
    children at once would each hold one and wait for the other): `ChildrenBusy`; the accept moves that
    review once it has committed, and a row still held then leaves it to the daily sweep (an error after
    the commit would answer the accepted transfer with a server error). A copy that does not open is left
    (its shred is closing it)."""
    try:
        named = review_candidate_ids(review)
    except DecryptionFailed:
        return False
    if not identities & named:  # it names the child only as a record it resembles (or a token collides)
        return False
    children = children_locked_now(named)
    others = ordinary_review_las(children, review.local_authority_id)
    if len(others) != 1:
        return False
    to_la_id = others.pop()
    review_follows(review, review.local_authority_id, to_la_id)
    if shields_one_of(children, to_la_id):
        reviews_mark_held([review])
    return True


def _reviews_follow_after(ids: list[Any], identities: set[str], from_la_id: int) -> None:
    """Once the accept has committed: move the ordinary reviews a decision held then and left open
    (waiting for that decision: it holds nothing this step takes next); one whose children someone holds
    even now is left to the daily sweep (`linkage.holds_sweep`)."""
    with transaction.atomic():
        for review in list(_ordinary_locked(ids, from_la_id, skip_locked=False)):
            try:
                review_follow_candidates(review, identities)
            except ChildrenBusy:
                continue
