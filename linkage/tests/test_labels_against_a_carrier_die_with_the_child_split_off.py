"""A review label sealed against a record while it carried another child on dies with that child's purge.

A review shows the record one of its candidates was merged into since (`review_candidates_shown`), and a
decision labels it (`linkage.labels`): the label seals the row the review compared with that candidate,
and the carrier's identity as it then was, the merged child's names among its former names. An unmerge
then gives that child back under a new id, which no longer carries anything of the old survivor: purging
it found no label (they name the survivor), and both copies outlived the child. The unmerge now destroys
the survivor's labels sealed while the merge was in place (a small loss of training data, as a purge's).
"""

import pytest

from children.models import Child, RecordStatus
from lifecycle.services import child_purge
from linkage.labels import labelled_pairs
from linkage.merging import child_merge, child_unmerge
from linkage.models import ChildMerge, ClericalReview, ReviewLabel, ReviewStatus
from linkage.tests.test_review_pages import _possible_match
from tests.personas import make_child
from tests.review_pages import decision_posted


def _merged_into_another(world, child) -> Child:
    carrier = make_child(world, given_names="Amy", family_name="Morgan", postcode="LS2 9JT")
    child_merge(survivor=carrier, duplicate=Child.objects.get(pk=child.pk), by=world.lena, reason="same")
    return carrier


def _names_labelled() -> list[tuple[str, ...]]:
    return [pair.candidate.family_names for pair in labelled_pairs()]


def test_a_label_against_the_carrier_does_not_outlive_the_purge_of_the_child_split_off_again(world, child):
    review = _possible_match(world, child)
    carrier = _merged_into_another(world, child)
    decision_posted(world.lena, review, decision="not_a_match")
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.NOT_A_MATCH
    assert ReviewLabel.objects.filter(candidate_id=carrier.pk).exists()
    assert _names_labelled() == [("Morgan", "Thornton")]  # the merged child's name, as a former name

    restored = child_unmerge(merge=ChildMerge.objects.get(survivor=carrier), by=world.lena, reason="not")
    Child.objects.filter(pk=restored.pk).update(status=RecordStatus.ARCHIVED)
    assert child_purge(child_id=restored.pk)

    assert _names_labelled() == []  # no sealed copy of that child (nor of the row about it) is left


def test_labels_whose_key_an_unmerge_that_then_failed_revoked_are_passed_over_by_retraining(
    world, child, monkeypatch
):
    review = _possible_match(world, child)
    carrier = _merged_into_another(world, child)
    decision_posted(world.lena, review, decision="not_a_match")
    assert _names_labelled() == [("Morgan", "Thornton")]

    def fails(merge):
        raise RuntimeError("key provider unavailable")

    monkeypatch.setattr("linkage.merging.merge_snapshot_shred", fails)
    with pytest.raises(RuntimeError):
        child_unmerge(merge=ChildMerge.objects.get(survivor=carrier), by=world.lena, reason="not")

    # Rolled back, but the label's key was revoked at the provider first: read as destroyed, not an error.
    assert _names_labelled() == []
