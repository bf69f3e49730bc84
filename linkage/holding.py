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
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver

from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child
from children.signals import shield_applied
from linkage.models import ClericalReview, ReviewStatus
from linkage.retention import carried_identities
from linkage.selectors import review_candidate_ids
from vault.crypto import DecryptionFailed


def _open() -> "QuerySet[ClericalReview]":
    """Reviews a shield may still hold: open, not held yet, their copy not shredded."""
    return ClericalReview.objects.filter(
        status=ReviewStatus.OPEN, shielded_hold=False, copy_shredded_at__isnull=True
    )


def _hold(reviews: list[ClericalReview]) -> None:
    for review in reviews:
        review.shielded_hold = True
        review.save(update_fields=["shielded_hold"])
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
    waiting = _open().select_related("data_key").filter(local_authority_id=child.local_authority_id)
    naming = [review.pk for review in waiting if _names(review, identities) is not False]
    if not naming:
        return
    locked = list(_locked(naming, skip_locked=True))
    _hold([review for review in locked if _names(review, identities)])
    busy = sorted(set(naming) - {review.pk for review in locked})
    if busy:
        transaction.on_commit(lambda: _reviews_hold_after(busy, child))


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
        .select_related("data_key")
        .order_by("pk")
    )


def _reviews_hold_after(ids: list[Any], child: Child) -> None:
    """Once the shield has committed: hold those reviews a decision held then and left open."""
    with transaction.atomic():
        identities = _identities(child)
        _hold([review for review in _locked(ids, skip_locked=False) if _names(review, identities)])
