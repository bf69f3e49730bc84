"""A matching model holding a probability that is not a number (NaN, infinite, or outside 0 to 1) is
refused when it is read, with an error naming where.

`model_from_splink` floored m and u with `max(value, FLOOR)`, which lets NaN through (`max(nan, x)` is nan
when nan comes first). Python's json reads and writes NaN, and `train_matcher` writes Splink's model with
`json.dumps` (NaN allowed), so one level trained as NaN made every weight touching it NaN: every comparison
with it False, every candidate "non", and the search answered "no children found" for an exact match,
silently. A model is data the service trusts wholesale: a bad one stops at load, never at a search.
"""

import json
import math

import pytest

from matching.scoring import MODEL_DIR, ModelInvalid, load_model, model_from_splink


def _settings(version: str = "fs-v1"):
    return json.loads((MODEL_DIR / f"{version}.json").read_text()), json.loads(
        (MODEL_DIR / f"{version}-tf.json").read_text()
    )


def _with_level(
    value: float | None, key: str = "u_probability", *, field: str = "gender", label: str = "else"
):
    settings, tf = _settings()
    for comparison in settings["comparisons"]:
        if comparison["output_column_name"] == field:
            for level in comparison["comparison_levels"]:
                if level.get("label_for_charts") == label:
                    level[key] = value
    return json.loads(json.dumps(settings)), tf  # as train_matcher writes it: "NaN" in the file


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), -0.1, 1.5])
@pytest.mark.parametrize("key", ["m_probability", "u_probability"])
def test_a_level_that_is_not_a_probability_is_refused_naming_where(value, key):
    settings, tf = _with_level(value, key)
    with pytest.raises(ModelInvalid) as refused:
        model_from_splink(settings, tf)
    message = str(refused.value)
    assert "gender" in message and "else" in message and key in message


@pytest.mark.parametrize("prior", [float("nan"), float("inf"), 0.0, 1.0, -0.5])
def test_a_prior_that_is_not_a_probability_is_refused(prior):
    settings, tf = _settings()
    settings["probability_two_random_records_match"] = prior
    with pytest.raises(ModelInvalid, match="probability_two_random_records_match"):
        model_from_splink(settings, tf)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1e-4])
def test_a_term_frequency_that_is_not_a_frequency_is_refused(value):
    settings, tf = _settings()
    column = next(iter(tf))
    name = next(iter(tf[column]))
    tf[column][name] = value
    with pytest.raises(ModelInvalid, match=column):
        model_from_splink(settings, tf)


def test_a_level_never_estimated_is_floored_as_before():
    settings, tf = _with_level(None)
    model = model_from_splink(settings, tf)
    assert math.isfinite(model.levels["gender"]["else"].weight)


@pytest.mark.parametrize("version", ["fs-v1", "fs-v2", "fs-v3"])
def test_every_model_in_the_repository_is_read(version):
    model = load_model.__wrapped__(version)
    assert all(math.isfinite(level.weight) for field in model.levels.values() for level in field.values())
