"""Review labels die with the child they describe.

A label (`linkage.labels`) seals what the incoming record and the candidate said under the label's own
key, not the child's, so crypto-shredding the child alone would leave that copy of its names, date of
birth and postcode readable for ever (in the database and in every backup). When a child is purged (an
archive or a closed identity, six years on: `lifecycle.services`), every label that names it, as the
candidate or as the child a review decided on, is deleted and its key shredded; the other labels
sealed under that key (the same decision's other candidates) go with it, a small loss of training data.

`lifecycle` sits below `linkage` and never imports it: this listens for the child's deletion instead.
A merge deletes an active duplicate (its identity lives on in the survivor): its labels are kept.
"""

from typing import Any
from uuid import UUID

from django.db.models import Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from children.models import Child, RecordStatus
from linkage.models import ReviewLabel
from vault.keys import data_key_shred
from vault.models import DataKey

PURGED_STATUSES = (RecordStatus.ARCHIVED, RecordStatus.CLOSED)


def review_labels_shred(*, child_id: UUID) -> int:
    """Delete every label naming `child_id` (and its key-mates), shred their keys; returns labels deleted."""
    key_ids = set(
        ReviewLabel.objects.filter(
            Q(candidate_id=child_id) | Q(review__decided_child_id=child_id)
        ).values_list("data_key_id", flat=True)
    )
    if not key_ids:
        return 0
    deleted, _ = ReviewLabel.objects.filter(data_key_id__in=key_ids).delete()
    for key in DataKey.objects.filter(pk__in=key_ids):
        data_key_shred(key)
    return deleted


@receiver(pre_delete, sender=Child, dispatch_uid="linkage.retention.child_deleted")
def child_deleted(sender: type[Child], instance: Child, **kwargs: Any) -> None:
    if instance.status in PURGED_STATUSES:
        review_labels_shred(child_id=instance.pk)
