"""A review's or a merge's sealed copy of a child dies with the child (and sooner, once it has done its work).

Each test keeps a "backup" (the row and its key as they were) and proves that after the event the copy
cannot be opened from it: the key is revoked at the provider and erased from the database.
"""

import copy
from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from feeds.review import review_decide
from feeds.tests.factories import health_rows_ingest
from lifecycle.services import child_purge, closed_record_purge
from linkage.labels import labelled_pairs
from linkage.merging import child_merge, child_unmerge
from linkage.models import ChildMerge, ClericalReview, ReviewLabel, ReviewReason, ReviewStatus
from linkage.tests.test_review_pages import _possible_match
from tests.journeys import signed_in
from tests.personas import make_child
from vault.crypto import DecryptionFailed
from vault.models import DataKey
from vault.sealing import Sealer


def _backup(row):
    """The row and its key as a backup taken now holds them."""
    return copy.deepcopy(row), copy.deepcopy(DataKey.objects.get(pk=row.data_key_id))


def _opens(backup, column: str) -> bool:
    row, key = backup
    try:
        Sealer(key).unseal(row, column)
    except DecryptionFailed:
        return False
    return True


def _purge(child: Child, status: str = RecordStatus.CLOSED) -> None:
    """Purge as the daily job does, without waiting six years: the record is archived or closed first."""
    Child.objects.filter(pk=child.pk).update(status=status)
    purge = closed_record_purge if status == RecordStatus.CLOSED else child_purge
    assert purge(child_id=child.pk)


def _merged(world):
    survivor = make_child(world)
    duplicate = make_child(world, family_name="Thorntone", given_names="Amelia-Rose", postcode="LS6 1AA")
    return survivor, duplicate, child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)


@pytest.mark.parametrize("status", [RecordStatus.CLOSED, RecordStatus.ARCHIVED])
def test_purging_a_candidate_of_an_open_review_shreds_its_copy_and_withdraws_it(world, child, status):
    review = _possible_match(world, child)
    backup = _backup(review)
    assert _opens(backup, "incoming") and _opens(backup, "candidates")
    _purge(child, status)
    assert not _opens(backup, "incoming") and not _opens(backup, "candidates")
    review.refresh_from_db()
    assert DataKey.objects.get(pk=review.data_key_id).shredded_at is not None
    assert bytes(review.incoming) == b"" and bytes(review.candidates) == b""
    assert review.status == ReviewStatus.WITHDRAWN and review.copy_shredded_at is not None
    # What the auditor needs stays in clear.
    assert review.reason == ReviewReason.POSSIBLE_MATCH and review.local_authority_id == world.north.pk
    assert review.submitted_by_id is not None and review.created_at is not None


def test_a_review_resembling_an_archived_record_is_shredded_when_that_record_is_purged(world, child):
    """Such a review lists no candidate (the team never sees the archive), yet its incoming record may
    be that child: purging the record must still find it."""
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    health_rows_ingest(world, [_amelia_row()])
    review = ClericalReview.objects.get()
    assert review.reason == ReviewReason.ARCHIVED
    backup = _backup(review)
    assert _opens(backup, "incoming")
    assert child_purge(child_id=child.pk)
    assert not _opens(backup, "incoming")
    review.refresh_from_db()
    assert review.status == ReviewStatus.WITHDRAWN


def _amelia_row():
    from feeds.tests.factories import feed_row

    return feed_row(
        given_names="Amelia", family_name="Thornton", date_of_birth="2015-03-04", postcode="LS1 4AB"
    )


@pytest.mark.parametrize("decision", ["link", "new_child", "not_a_match"])
def test_a_reviews_copy_is_shredded_once_it_is_decided_and_the_labels_keep_the_pair(world, child, decision):
    review = _possible_match(world, child)
    backup = _backup(review)
    review_decide(
        review=review, decision=decision, by=world.lena, child_id=child.pk if decision == "link" else None
    )
    assert not _opens(backup, "incoming") and not _opens(backup, "candidates")
    review.refresh_from_db()
    assert review.copy_shredded_at is not None and bytes(review.incoming) == b""
    assert review.status != ReviewStatus.WITHDRAWN and review.decided_by_id == world.lena.pk
    assert len(list(labelled_pairs())) == 1  # the training copy, under the label's own key


def test_purging_the_child_a_review_decided_on_shreds_a_copy_kept_from_before_this_rule(world, child):
    """A review decided before copies were shredded at decision still holds one: the purge destroys it."""
    review = _possible_match(world, child)
    ClericalReview.objects.filter(pk=review.pk).update(status=ReviewStatus.LINKED, decided_child=child)
    backup = _backup(review)
    assert _opens(backup, "incoming")
    _purge(child)
    assert not _opens(backup, "incoming")
    review.refresh_from_db()
    assert review.status == ReviewStatus.LINKED and review.copy_shredded_at is not None


def test_the_page_of_a_decided_review_shows_the_decision_and_says_the_records_were_destroyed(world, child):
    review = _possible_match(world, child)
    review_decide(review=review, decision="not_a_match", by=world.lena)
    response = signed_in(world.lena).get(reverse("linkage:review", args=[review.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Decided: Not a match: nothing written" in page
    assert 'id="review-copy-shredded"' in page and "once the decision was carried out" in page
    assert "LS9 9ZZ" not in page and 'id="side-by-side"' not in page and "Record decision" not in page


def test_a_withdrawn_review_leaves_the_queue_and_its_page_says_why_and_takes_no_decision(world, child):
    other = make_child(world, given_names="Oscar", family_name="Pemberton", date_of_birth=date(2016, 1, 1))
    review = _possible_match(world, child)
    _purge(child)
    client = signed_in(world.lena)
    assert str(review.pk) not in client.get(reverse("linkage:reviews")).content.decode()
    page = client.get(reverse("linkage:review", args=[review.pk])).content.decode()
    assert "Closed without a decision: a child it named has been purged" in page
    assert "Record decision" not in page
    posted = client.post(reverse("linkage:review", args=[review.pk]), {"decision": "new_child"})
    assert posted.status_code == 200 and Child.objects.filter(pk=other.pk).exists()
    assert Child.objects.count() == 1  # nothing created from a destroyed copy


def test_a_purge_leaves_other_childrens_reviews_readable(world, child):
    other = make_child(world, given_names="Oscar", family_name="Pemberton", date_of_birth=date(2016, 1, 1))
    review = _possible_match(world, child)
    _purge(other)
    review = ClericalReview.objects.select_related("data_key").get(pk=review.pk)
    assert review.status == ReviewStatus.OPEN and Sealer(review.data_key).unseal(review, "incoming")


def test_purging_the_survivor_of_a_merge_shreds_the_merge_snapshot(world):
    survivor, _, merge = _merged(world)
    backup = _backup(merge)
    assert _opens(backup, "snapshot") and _opens(backup, "moved")
    _purge(survivor)
    assert not ChildMerge.objects.filter(pk=merge.pk).exists()  # deleted with its survivor, as before
    assert not _opens(backup, "snapshot") and not _opens(backup, "moved")
    assert DataKey.objects.get(pk=merge.data_key_id).shredded_at is not None


def test_an_unmerge_shreds_the_snapshot_it_no_longer_needs(world):
    _, _, merge = _merged(world)
    backup = _backup(merge)
    restored = child_unmerge(merge=merge, by=world.lena)
    assert not _opens(backup, "snapshot")
    merge.refresh_from_db()
    assert merge.snapshot_shredded_at is not None and bytes(merge.snapshot) == b""
    assert merge.restored_child_id == restored.pk and merge.unmerged_by_id == world.lena.pk
    page = signed_in(world.lena).get(reverse("linkage:merge_detail", args=[merge.pk])).content.decode()
    assert "Undone" in page and "restored" in page


def test_purging_a_restored_record_shreds_a_snapshot_kept_from_before_this_rule(world):
    survivor, _, merge = _merged(world)
    restored = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    ChildMerge.objects.filter(pk=merge.pk).update(restored_child=restored)  # an unmerge from before
    backup = _backup(merge)
    _purge(restored)
    assert not _opens(backup, "snapshot")
    merge.refresh_from_db()
    assert merge.snapshot_shredded_at is not None and merge.survivor_id == survivor.pk


def test_merging_away_a_survivor_shreds_its_earlier_merges_snapshot(world):
    """The earlier merge is deleted with its survivor (CASCADE): without a shred its key would stay
    live, and every backup would keep that copy readable after the child is purged."""
    survivor, _, merge = _merged(world)
    third = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS7 3AA")
    backup = _backup(merge)
    child_merge(survivor=third, duplicate=survivor, by=world.lena)
    assert not _opens(backup, "snapshot")


def test_the_purge_audits_the_copies_it_destroyed_with_counts_only(world, child):
    review = _possible_match(world, child)
    review_decide(review=review, decision="link", by=world.lena, child_id=child.pk)
    ClericalReview.objects.filter(pk=review.pk).update(copy_shredded_at=None)  # as if from before
    _purge(child)
    event = AuditEvent.objects.get(tag=AuditTag.ChildCopiesShredded, child_id=child.pk)
    assert event.actor is None
    assert event.additional == {"review_labels_deleted": 1, "reviews_shredded": 1, "merges_shredded": 0}
    assert not ReviewLabel.objects.exists()


def test_a_purge_with_no_copy_to_destroy_writes_no_copies_event(world, child):
    _purge(child)
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildCopiesShredded).exists()
