"""`train_matcher` never writes a model the service would refuse to read (a review's finding, session 36):
a level whose m or u is not a probability (NaN from a degenerate estimate, or carried over from the base a
retraining starts from) stops the command with the reason and writes nothing, where before it wrote the
file (json writes NaN) and only the next start of the service refused it."""

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from linkage.tests.test_review_labels import _labels, _person
from matching.scoring import MODEL_DIR, MODEL_VERSION


def _base_with_a_nan_u(out_dir: Path) -> None:
    settings = json.loads((MODEL_DIR / f"{MODEL_VERSION}.json").read_text())
    gender = next(c for c in settings["comparisons"] if c["output_column_name"] == "gender")
    gender["comparison_levels"][-1]["u_probability"] = float("nan")
    (out_dir / "fs-base.json").write_text(json.dumps(settings))
    shutil.copy(MODEL_DIR / f"{MODEL_VERSION}-tf.json", out_dir / "fs-base-tf.json")


def _refused_writing_nothing(tmp_path: Path, *, match: str) -> None:
    """Retraining from the base `fs-base` in `tmp_path` stops saying `match`; no model file is written."""
    with pytest.raises(CommandError, match=match):
        call_command(
            "train_matcher",
            "--from-review-labels",
            "--out-dir",
            str(tmp_path),
            "--base-version",
            "fs-base",
            "--model-version",
            "fs-next",
        )
    assert not (tmp_path / "fs-next.json").exists()
    assert not (tmp_path / "fs-next-tf.json").exists()


def test_retraining_from_a_base_that_is_not_probabilities_writes_nothing(world, tmp_path: Path):
    _labels(world, [(_person(1, date(2015, 3, 4)), _person(1, date(2015, 3, 4)), True)])
    _base_with_a_nan_u(tmp_path)
    _refused_writing_nothing(tmp_path, match=r"gender.*u_probability.*not a probability")


def test_retraining_from_a_base_whose_term_frequencies_are_not_probabilities_writes_nothing(
    world, tmp_path: Path
):
    """The base's term frequencies are copied with the new model: checked with it, not after."""
    _labels(world, [(_person(1, date(2015, 3, 4)), _person(1, date(2015, 3, 4)), True)])
    shutil.copy(MODEL_DIR / f"{MODEL_VERSION}.json", tmp_path / "fs-base.json")
    frequencies = json.loads((MODEL_DIR / f"{MODEL_VERSION}-tf.json").read_text())
    column = next(iter(frequencies))
    frequencies[column][next(iter(frequencies[column]))] = float("nan")
    (tmp_path / "fs-base-tf.json").write_text(json.dumps(frequencies))
    _refused_writing_nothing(tmp_path, match="term frequency")
