"""A review label dies with the record that carries its identity on, however merges moved that identity.

A merge folds one record into another, an unmerge rebuilds it under a new id, and a merge's row is deleted
with its survivor: none of that may break the trail from a purged record to the labels (sealed training
copies of identities) that name what it carried (`linkage.retention`, `CarriedIdentity`).
"""

from datetime import date

from children.models import Child, RecordStatus
from feeds.review import review_decide
from lifecycle.services import child_purge
from linkage.labels import labelled_pairs
from linkage.merging import child_merge, child_unmerge
from linkage.models import CarriedIdentity, ClericalReview, ReviewLabel
from linkage.retention import carried_identities
from linkage.tests.test_review_pages import _possible_match
from tests.personas import make_child


def _purge(child: Child) -> None:
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    assert child_purge(child_id=child.pk)


def _linked_label(world, child) -> None:
    """A LINK decision: one label naming `child` as its candidate."""
    review = _possible_match(world, child)
    review_decide(review=review, decision="link", by=world.lena, child_id=child.pk)
    assert ReviewLabel.objects.filter(candidate_id=child.pk).count() == 1


def test_a_label_naming_a_record_merged_twice_over_dies_with_the_last_survivors_purge(world, child):
    """child -> middle -> last: merging `middle` away deletes the first merge, yet the identity lives on
    in `last`, so its purge must take the label."""
    _linked_label(world, child)
    middle = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS7 3AA")
    child_merge(survivor=middle, duplicate=child, by=world.lena)
    last = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS8 1AA")
    child_merge(survivor=last, duplicate=middle, by=world.lena)
    assert len(list(labelled_pairs())) == 1  # merges keep it: the identity lives on
    _purge(last)
    assert [p.candidate.family_names for p in labelled_pairs()] == []
    assert not CarriedIdentity.objects.exists()  # nothing left that ties the purged ids together


def test_a_new_child_label_whose_child_was_merged_away_dies_with_the_survivors_purge(world, child):
    """A 'new child' decision: the label's incoming record IS the created child's identity; once that
    child is merged away, the review still names it, so the survivor's purge finds the label."""
    review = _possible_match(world, child)
    created = review_decide(review=review, decision="new_child", by=world.lena)
    assert created is not None
    survivor = make_child(
        world,
        given_names="Amelia",
        family_name="Thornton",
        date_of_birth=date(2015, 3, 14),
        postcode="LS2 2AA",
    )
    child_merge(survivor=survivor, duplicate=created, by=world.lena)
    assert len(list(labelled_pairs())) == 1
    _purge(survivor)
    leftover = [p.incoming for p in labelled_pairs()]
    assert leftover == [], f"purged identity still readable in a review label: {leftover}"
    # The review's clear columns stay for the auditor, but no longer name the purged identity.
    review = ClericalReview.objects.get(pk=review.pk)
    assert review.status == "new_child" and review.decided_child_ref is None


def test_a_label_naming_a_record_merged_and_split_out_again_dies_with_the_restored_records_purge(
    world, child
):
    """An unmerge restores the duplicate under a NEW id; the label still names the old one."""
    _linked_label(world, child)
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS7 3AA")
    merge = child_merge(survivor=survivor, duplicate=child, by=world.lena)
    restored = child_unmerge(merge=merge, by=world.lena)
    _purge(restored)
    assert [p.candidate.family_names for p in labelled_pairs()] == []
    _purge(survivor)
    assert Child.objects.count() == 0
    assert not CarriedIdentity.objects.exists()


def test_after_an_unmerge_the_survivors_purge_leaves_the_restored_records_labels(world, child):
    """The identity went back with the restored record: the survivor no longer carries it."""
    _linked_label(world, child)
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS7 3AA")
    merge = child_merge(survivor=survivor, duplicate=child, by=world.lena)
    assert carried_identities(survivor.pk) == [survivor.pk, child.pk]
    restored = child_unmerge(merge=merge, by=world.lena)
    assert carried_identities(survivor.pk) == [survivor.pk]
    assert carried_identities(restored.pk) == [restored.pk, child.pk]
    _purge(survivor)
    assert [p.candidate.family_names for p in labelled_pairs()] == [("Thornton",)]


def test_unmerging_the_last_merge_of_a_chain_gives_the_restored_record_all_it_carried(world, child):
    """child -> middle -> last, then last's merge undone: `middle` comes back carrying `child` too."""
    _linked_label(world, child)
    middle = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS7 3AA")
    child_merge(survivor=middle, duplicate=child, by=world.lena)
    last = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS8 1AA")
    merge = child_merge(survivor=last, duplicate=middle, by=world.lena)
    assert sorted(map(str, carried_identities(last.pk))) == sorted(map(str, [last.pk, middle.pk, child.pk]))
    restored = child_unmerge(merge=merge, by=world.lena)
    assert carried_identities(last.pk) == [last.pk]
    assert sorted(map(str, carried_identities(restored.pk))) == sorted(
        map(str, [restored.pk, middle.pk, child.pk])
    )
    _purge(last)
    assert len(list(labelled_pairs())) == 1  # still carried on by the restored record
    _purge(restored)
    assert list(labelled_pairs()) == []


def test_a_purge_leaves_labels_of_identities_it_never_carried(world, child):
    _linked_label(world, child)
    other = make_child(world, given_names="Oscar", family_name="Pemberton", date_of_birth=date(2016, 1, 1))
    survivor = make_child(world, given_names="Oscar", family_name="Pemberton", postcode="LS7 3AA")
    child_merge(survivor=survivor, duplicate=other, by=world.lena)
    _purge(survivor)
    assert [p.candidate.family_names for p in labelled_pairs()] == [("Thornton",)]
    assert CarriedIdentity.objects.count() == 0
