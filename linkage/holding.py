"""An open clerical review naming a child who is shielded becomes a shielded hold, in that transaction.

A review opened before the shield offered the child as a candidate to whoever works the LA's queue (the
data manager included). Once the child is shielded, only its LA team may see it or decide anything about
it (`access.policy`): the review stays open, but moves to the shielded holds only the team is shown. It
stays held if the shield is lifted later (the team that held it decides it). Lifecycle and merges send
`children.signals.shield_applied`; neither may import this floor.
"""

from typing import Any

from django.dispatch import receiver

from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child
from children.signals import shield_applied
from linkage.models import ClericalReview, ReviewStatus
from linkage.selectors import review_candidate_ids


@receiver(shield_applied, dispatch_uid="linkage.holding.shield_applied")
def reviews_hold(sender: Any, child: Child, **_: Any) -> None:
    """Hold each open review of the child's LA that names it, audited by review id.

    The candidates are sealed, so the LA's open reviews not yet held are unsealed to find them: a shield
    is rare, and an LA's open queue is small next to its records.
    """
    waiting = (
        ClericalReview.objects.select_for_update()
        .select_related("data_key")
        .filter(
            local_authority_id=child.local_authority_id,
            status=ReviewStatus.OPEN,
            shielded_hold=False,
            copy_shredded_at__isnull=True,
        )
    )
    for review in waiting:
        if str(child.pk) not in review_candidate_ids(review):
            continue
        review.shielded_hold = True
        review.save(update_fields=["shielded_hold"])
        event_record(tag=AuditTag.ReviewHeld, actor=None, additional={"review_id": str(review.pk)})
