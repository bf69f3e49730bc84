"""Clerical review decisions kept as labelled pairs, and the matcher retrained from them with Splink."""

import json
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from feeds.review import review_decide
from linkage.labels import identity_to_json, labelled_pairs
from linkage.models import ClericalReview, ReviewLabel, ReviewReason
from linkage.retraining import next_model_version
from linkage.tests.test_review_pages import _possible_match
from matching.identity import Identity
from matching.scoring import MODEL_DIR, MODEL_VERSION
from vault.keys import data_key_build
from vault.sealing import Sealer


def test_a_link_decision_labels_the_chosen_child_a_match(world, child):
    review = _possible_match(world, child)
    review_decide(review=review, decision="link", by=world.lena, child_id=child.pk)
    label = ReviewLabel.objects.get(review=review)
    assert label.candidate_id == child.pk and label.is_match and label.decision == "linked"


@pytest.mark.parametrize("decision", ["new_child", "not_a_match"])
def test_new_child_and_not_a_match_label_every_candidate_a_non_match(world, child, decision):
    review = _possible_match(world, child)
    review_decide(review=review, decision=decision, by=world.dara)
    labels = list(ReviewLabel.objects.filter(review=review))
    assert [(lbl.candidate_id, lbl.is_match, lbl.decision) for lbl in labels] == [(child.pk, False, decision)]


def test_a_label_keeps_both_records_as_the_reviewer_saw_them_and_sealed(world, child):
    review = _possible_match(world, child)
    review_decide(review=review, decision="link", by=world.lena, child_id=child.pk)
    label = ReviewLabel.objects.get()
    # Sealed: no name or postcode in clear in the row.
    assert b"Thornton" not in bytes(label.incoming) and b"LS1" not in bytes(label.candidate)
    (pair,) = labelled_pairs()
    assert pair.is_match and pair.incoming.postcodes == ("LS9 9ZZ",)
    # The candidate as it was before the link moved the child to the incoming postcode.
    assert pair.candidate.postcodes == ("LS1 4AB",) and pair.candidate.family_name == "Thornton"


def _labels(world, pairs: list[tuple[Identity, Identity, bool]]) -> None:
    """Labels written directly: a small synthetic set with a known pattern of disagreement."""
    with transaction.atomic():  # a write seals inside its own transaction (vault.keys.data_key_for_write)
        key, dek = data_key_build()
        key.save()
        sealer = Sealer(key, dek)
        review = ClericalReview(
            local_authority=world.north,
            reason=ReviewReason.POSSIBLE_MATCH,
            submitted_by=world.dara,
            data_key=key,
        )
        sealer.seal_all(review, {"incoming": {}, "candidates": []})
        review.save()
        for incoming, candidate, is_match in pairs:
            label = ReviewLabel(
                review=review,
                candidate_id=uuid.uuid4(),
                is_match=is_match,
                decision="linked" if is_match else "not_a_match",
                data_key=key,
            )
            sealer.seal_all(
                label, {"incoming": identity_to_json(incoming), "candidate": identity_to_json(candidate)}
            )
            label.save()


def _person(i: int, dob: date) -> Identity:
    return Identity(
        family_names=(["Thornton", "Okafor", "Nowak", "Patel", "Hughes"][i % 5],),
        given_names=(["Amelia", "Leo", "Maya", "Noah", "Isla"][i % 5],),
        date_of_birth=dob,
        gender="female" if i % 2 else "male",
        postcodes=("LS1 4AB",),
    )


def _dob_level(model: dict, label: str) -> float:
    (dob,) = [c for c in model["comparisons"] if c["output_column_name"] == "dob"]
    (level,) = [lv for lv in dob["comparison_levels"] if lv["label_for_charts"] == label]
    return float(level["m_probability"])


def test_training_from_review_labels_moves_m_towards_what_reviewers_linked(world, tmp_path: Path):
    # Reviewers linked 30 pairs whose dates of birth had day and month swapped, and 10 exact ones.
    swapped = [
        (_person(i, date(2015, 3, 4 + i % 8)), _person(i, date(2015, 4 + i % 8, 3)), True) for i in range(30)
    ]
    exact = [(_person(i, date(2016, 5, 20)), _person(i, date(2016, 5, 20)), True) for i in range(10)]
    unlike = [(_person(i, date(2016, 5, 20)), _person(i + 1, date(2012, 1, 9)), False) for i in range(5)]
    _labels(world, swapped + exact + unlike)
    in_use = (MODEL_DIR / f"{MODEL_VERSION}.json").read_text()

    call_command("train_matcher", "--from-review-labels", "--out-dir", str(tmp_path))

    base = json.loads(in_use)
    trained = json.loads((tmp_path / "fs-v1.json").read_text())
    assert _dob_level(trained, "swapped") == pytest.approx(0.75)
    assert _dob_level(trained, "swapped") > _dob_level(base, "swapped")
    assert _dob_level(trained, "exact") < _dob_level(base, "exact")
    # u is the model in use's: review labels say nothing about random pairs.
    assert trained["comparisons"][2]["comparison_levels"][2]["u_probability"] == pytest.approx(
        base["comparisons"][2]["comparison_levels"][2]["u_probability"]
    )
    assert (tmp_path / "fs-v1-tf.json").read_text() == (MODEL_DIR / f"{MODEL_VERSION}-tf.json").read_text()
    assert (MODEL_DIR / f"{MODEL_VERSION}.json").read_text() == in_use


def test_training_never_replaces_an_existing_model_unless_asked(world, tmp_path: Path):
    _labels(world, [(_person(1, date(2015, 3, 4)), _person(1, date(2015, 3, 4)), True)])
    (tmp_path / "fs-v3.json").write_text("{}")
    with pytest.raises(CommandError, match="--overwrite"):
        call_command(
            "train_matcher", "--from-review-labels", "--out-dir", str(tmp_path), "--model-version", "fs-v3"
        )
    assert (tmp_path / "fs-v3.json").read_text() == "{}"
    call_command("train_matcher", "--from-review-labels", "--out-dir", str(tmp_path))
    assert (tmp_path / "fs-v4.json").exists()
    call_command(
        "train_matcher",
        "--from-review-labels",
        "--out-dir",
        str(tmp_path),
        "--model-version",
        "fs-v3",
        "--overwrite",
    )
    assert "comparisons" in json.loads((tmp_path / "fs-v3.json").read_text())


def test_training_from_labels_without_a_linked_pair_says_why(world, tmp_path: Path):
    _labels(world, [(_person(1, date(2015, 3, 4)), _person(2, date(2011, 1, 1)), False)])
    with pytest.raises(CommandError, match="no review has linked a record"):
        call_command("train_matcher", "--from-review-labels", "--out-dir", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_the_next_model_version_is_the_first_unused_number(tmp_path: Path):
    assert next_model_version(tmp_path) == "fs-v1"
    (tmp_path / "fs-v1.json").write_text("{}")
    (tmp_path / "fs-v1-tf.json").write_text("{}")
    (tmp_path / "fs-v7.json").write_text("{}")
    assert next_model_version(tmp_path) == "fs-v8"


def test_purging_a_child_shreds_the_review_labels_that_hold_its_identity(world, child):
    """A label seals the child's names, date of birth and postcode under the label's own key: purging
    the child (archive or new identity, six years on) must shred that copy too, even in a backup."""
    import copy

    from children.models import Child, RecordStatus
    from lifecycle.services import closed_record_purge
    from vault.crypto import DecryptionFailed
    from vault.models import DataKey

    review = _possible_match(world, child)
    review_decide(review=review, decision="link", by=world.lena, child_id=child.pk)
    label = ReviewLabel.objects.select_related("data_key").get(review=review)
    backup_row, backup_key = copy.deepcopy(label), copy.deepcopy(label.data_key)
    assert Sealer(backup_key).unseal(backup_row, "candidate")["family_names"]  # opens before the purge
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    assert closed_record_purge(child_id=child.pk)
    assert not ReviewLabel.objects.filter(pk=label.pk).exists()
    assert DataKey.objects.get(pk=backup_key.pk).shredded_at is not None
    with pytest.raises(DecryptionFailed):
        Sealer(backup_key).unseal(backup_row, "candidate")
    assert list(labelled_pairs()) == []  # retraining still runs over what is left
