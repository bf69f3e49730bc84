"""Copies of a child's identity that linkage seals under its own keys die with the child.

Three kinds of row hold what a child's record said, sealed under a key that is not the child's, so
crypto-shredding the child alone would leave them readable for ever (in the database and in every
backup): a review label (`linkage.labels`: both identities, for retraining), a clerical review (the
incoming record and its candidates) and a merge (the duplicate's whole record, to undo the merge).

- A **label** naming a purged child, as the candidate or as the child a review decided on, is deleted
  and its key shredded; the other labels sealed under that key (the same decision's other candidates)
  go with it, a small loss of training data. An unmerge deletes the survivor's labels sealed while the
  merge was in place (`review_labels_unmerged_shred`): they hold the merged child's names, and the row a
  review compared with it, which the restored record's purge would otherwise not find.
- A **review**'s sealed copy is shredded as soon as it is decided (`review_copy_shred`, called by
  `feeds.review`): the decision has been carried out and the labels keep the training copy. An open
  review naming a purged child (a candidate, or an archived or closed record it resembles, found through
  `ReviewSubject` tokens) is shredded and closed as withdrawn: its incoming record may be that child. A
  review decided before this rule is shredded when the child it decided on or a candidate is purged.
- A **merge**'s sealed copy is shredded once the merge is undone (`merge_snapshot_shred`, called by
  `linkage.merging`), and when the survivor or the restored record is purged. A merge whose survivor is
  deleted for any reason (purged, or itself merged away) is deleted with it (CASCADE): its key is
  shredded first, so no backup keeps that row readable.

In every case the row's clear columns (who decided or merged what, when, the reason code) stay for the
auditor, except labels (ids and a verdict only). The purge audits what it destroyed, counts only
(`child:copies:shredded`).

`lifecycle` sits below `linkage` and never imports it: this listens for the child's deletion instead.
A merge deletes an active duplicate (its identity lives on in the survivor): its labels and reviews are
kept.

"The child" is every identity the purged record carries on (`carried_identities`), kept in
`CarriedIdentity` rather than read from the merges, which lose the trail: a merge's row is deleted with
its survivor when that is merged away in turn (child -> middle -> last), and an unmerge rebuilds the
duplicate under a new id. A merge gives the survivor the duplicate and all it carried
(`identities_carry_over`); an unmerge gives them to the restored record and takes them off the survivor
(`identities_give_back`). A review names the child it decided on also by a plain id
(`decided_child_ref`), which a merge's delete does not null. Once the purge has destroyed the copies, the
record's rows and those plain ids go too.
"""

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone

from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from linkage.models import (
    CarriedIdentity,
    ChildMerge,
    ClericalReview,
    ReviewLabel,
    ReviewStatus,
    ReviewSubject,
)
from vault.blind_index import blind_index, blind_indexes
from vault.crypto import DecryptionFailed
from vault.keys import data_key_shred
from vault.models import DataKey
from vault.sealing import Sealer

PURGED_STATUSES = (RecordStatus.ARCHIVED, RecordStatus.CLOSED)
SUBJECT_PURPOSE = "linkage-review-subject"


def review_subject_token(child_id: UUID | str) -> int:
    return blind_index(SUBJECT_PURPOSE, str(child_id))


def review_subjects_record(*, review: ClericalReview, child_ids: Iterable[UUID | str]) -> None:
    """Remember, as blind tokens, every child the review's sealed copy names (call when it is opened)."""
    tokens = sorted(set(blind_indexes(SUBJECT_PURPOSE, [str(pk) for pk in child_ids])))
    ReviewSubject.objects.bulk_create([ReviewSubject(review=review, token=token) for token in tokens])


def review_labels_shred(*, child_id: UUID, since: datetime | None = None) -> int:
    """Delete every label naming `child_id` (and its key-mates), shred their keys; returns labels deleted.
    `since`: only those sealed from then on (`review_labels_unmerged_shred`)."""
    naming = ReviewLabel.objects.filter(
        Q(candidate_id=child_id)
        | Q(review__decided_child_ref=child_id)
        | Q(review__decided_child_id=child_id)
    )
    if since is not None:
        naming = naming.filter(created_at__gte=since)
    key_ids = set(naming.values_list("data_key_id", flat=True))
    if not key_ids:
        return 0
    deleted, _ = ReviewLabel.objects.filter(data_key_id__in=key_ids).delete()
    for key in DataKey.objects.filter(pk__in=key_ids):
        data_key_shred(key)
    return deleted


def review_labels_unmerged_shred(*, survivor_id: UUID, merged_at: datetime) -> int:
    """An unmerge: delete the survivor's labels sealed while the merge was in place (and their key-mates),
    returns how many. Each sealed the survivor's identity with the merged child's names among its former
    names, and, for a review that named the merged child (`linkage.selectors.review_candidates_shown`
    shows the record carrying it on), the row compared with that child. The child now lives on under the
    restored record, which carries none of the survivor's labels: left, they would outlive its purge."""
    return review_labels_shred(child_id=survivor_id, since=merged_at)


def review_copy_shred(review: ClericalReview) -> None:
    """Shred the review's key and blank its sealed columns; an open review is closed as withdrawn.

    Called in the transaction of the decision or the purge. The key is revoked at the provider first
    (`data_key_shred`: fail closed), then the row keeps only its clear columns.
    """
    data_key_shred(DataKey.objects.get(pk=review.data_key_id))
    now = timezone.now()
    rows = ClericalReview.objects.filter(pk=review.pk)
    rows.filter(status=ReviewStatus.OPEN).update(status=ReviewStatus.WITHDRAWN)
    # A queryset update, not save(): a purge's deletion may be about to null `decided_child`.
    # The row's token goes with its copy: nothing is left to say which row it was.
    rows.update(incoming=b"", candidates=b"", copy_shredded_at=now, row_token=None)
    ReviewSubject.objects.filter(review_id=review.pk).delete()
    review.refresh_from_db(fields=["status", "incoming", "candidates", "copy_shredded_at"])


def reviews_shred(*, child_id: UUID) -> int:
    """Shred every review still holding a copy that names `child_id`; returns how many."""
    reviews = list(
        ClericalReview.objects.filter(copy_shredded_at__isnull=True)
        .filter(
            Q(decided_child_ref=child_id)
            | Q(decided_child_id=child_id)
            | Q(subjects__token=review_subject_token(child_id))
        )
        .distinct()
    )
    for review in reviews:
        review_copy_shred(review)
    return len(reviews)


def merge_snapshot_shred(merge: ChildMerge) -> None:
    """Blank the merge's sealed snapshot and shred its key; who merged, undid and when stay.

    Called in the caller's transaction (an unmerge's last step, a deletion). The row is blanked first and
    the key revoked at the provider after (`data_key_shred`): a write that fails before the revoke (the
    blanking) then rolls back whole and can be run again, where revoking first left the merge in place
    with a key refused for good. Still fail closed: the row reads as shredded only once the transaction
    commits, and it cannot commit before the revoke has returned; a revoke that fails rolls the blanking
    back with it. Only a failure after the revoke (the key row's own write, the commit) can still leave a
    merge in place whose key no longer opens, which its readers take as destroyed (`linkage.merging`).
    """
    now = timezone.now()
    ChildMerge.objects.filter(pk=merge.pk).update(snapshot=b"", moved=b"", snapshot_shredded_at=now)
    data_key_shred(DataKey.objects.get(pk=merge.data_key_id))
    merge.snapshot, merge.moved, merge.snapshot_shredded_at = b"", b"", now


def merges_shred(*, child_id: UUID, purged: bool) -> int:
    """Shred the merges a deleted child's record lives in; returns how many.

    Always those it survived (they are deleted with it); when it is purged, also those that restored it.
    """
    naming = Q(survivor_id=child_id) | Q(restored_child_id=child_id) if purged else Q(survivor_id=child_id)
    merges = list(ChildMerge.objects.filter(naming, snapshot_shredded_at__isnull=True))
    for merge in merges:
        merge_snapshot_shred(merge)
    return len(merges)


def carried_identities(child_id: UUID) -> list[UUID]:
    """The child and every record merged into it, directly or through a chain, and not split out again:
    copies naming any of them (labels, review copies) describe the child that carries those identities
    on, so die with it. Read from `CarriedIdentity`, not the merges: those are deleted with a survivor
    merged away in turn, and an unmerge gives the restored record a new id."""
    carried = CarriedIdentity.objects.filter(carrier_id=child_id).order_by("pk")
    return [child_id, *carried.values_list("identity_id", flat=True)]


def carriers_of(identities: Collection[UUID]) -> dict[UUID, UUID]:
    """For each of `identities` merged into another record, the live record that carries it on (read
    from `CarriedIdentity`, so through a chain of merges); a record never merged, or purged, is not a key.
    The one reading of "who carries this record on now" for the report pages (which name the carrier) and
    the holds sweep (which follows the children a review names)."""
    if not identities:
        return {}
    return dict(
        CarriedIdentity.objects.filter(identity_id__in=set(identities)).values_list(
            "identity_id", "carrier_id"
        )
    )


def identities_carry_over(*, survivor_id: UUID, duplicate_id: UUID) -> list[str]:
    """A merge: the survivor carries on the duplicate and all the duplicate carried; returns those ids
    (the merge keeps them, sealed, to give them back). Call in the merge's transaction, before the
    duplicate is deleted."""
    brought = [str(pk) for pk in carried_identities(duplicate_id)]
    CarriedIdentity.objects.filter(carrier_id=duplicate_id).delete()
    CarriedIdentity.objects.bulk_create(
        [CarriedIdentity(carrier_id=survivor_id, identity_id=pk) for pk in brought], ignore_conflicts=True
    )
    return brought


def _brought_by(merge: ChildMerge) -> set[str]:
    """The identities a merge in place brought (just its duplicate, for a merge made before they were
    kept, or if its sealed copy can no longer be opened)."""
    try:
        moved = Sealer(merge.data_key).unseal(merge, "moved")
    except DecryptionFailed:
        moved = {}
    return set(moved.get("identities", [str(merge.duplicate_id)]))


def identities_give_back(*, merge: ChildMerge, restored_id: UUID, brought: list[str] | None) -> None:
    """An unmerge: the restored record carries on the duplicate's old id and what it brought (`brought`,
    from the merge's sealed copy; None for a merge made before they were kept), and the survivor no
    longer does, unless another merge still in place brought the same identity."""
    brought = brought if brought is not None else [str(merge.duplicate_id)]
    others = (
        ChildMerge.objects.filter(survivor_id=merge.survivor_id, unmerged_at__isnull=True)
        .exclude(pk=merge.pk)
        .select_related("data_key")
    )
    kept: set[str] = set().union(*(_brought_by(other) for other in others))
    CarriedIdentity.objects.filter(
        carrier_id=merge.survivor_id, identity_id__in=[pk for pk in brought if pk not in kept]
    ).delete()
    CarriedIdentity.objects.bulk_create(
        [CarriedIdentity(carrier_id=restored_id, identity_id=pk) for pk in brought], ignore_conflicts=True
    )


def _identities_forget(*, child_id: UUID, identities: list[UUID]) -> None:
    """After a purge has destroyed their copies, nothing in clear ties the purged ids together any more:
    the record's rows go, and reviews stop naming an identity it carried (as the nulled FK does)."""
    CarriedIdentity.objects.filter(carrier_id=child_id).delete()
    ClericalReview.objects.filter(decided_child_ref__in=identities).update(decided_child_ref=None)


@receiver(pre_delete, sender=Child, dispatch_uid="linkage.retention.child_deleted")
def child_deleted(sender: type[Child], instance: Child, **kwargs: Any) -> None:
    purged = instance.status in PURGED_STATUSES
    merges = merges_shred(child_id=instance.pk, purged=purged)
    if not purged:  # a merge: its identities were carried over to the survivor before this
        return
    identities = carried_identities(instance.pk)
    counts = {
        "review_labels_deleted": sum(review_labels_shred(child_id=pk) for pk in identities),
        "reviews_shredded": sum(reviews_shred(child_id=pk) for pk in identities),
        "merges_shredded": merges,
    }
    _identities_forget(child_id=instance.pk, identities=identities)
    if any(counts.values()):
        event_record(tag=AuditTag.ChildCopiesShredded, actor=None, child_id=instance.pk, additional=counts)
