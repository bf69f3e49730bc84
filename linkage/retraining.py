"""Re-estimating the matcher's m probabilities from clerical review labels, with Splink.

People's verdicts are the best evidence of how the same child's records differ in real feeds (the
synthetic generator only guesses). The model in use is the starting point: its comparison levels, u
probabilities (how often random pairs agree, which review labels cannot tell us) and prior are kept;
only m is re-estimated, by Splink's `estimate_m_from_pairwise_labels` over the pairs reviewers linked. A
level no labelled match reached keeps its old m. Non-match labels are counted but, as in Splink, do not
enter m. The result is a new model version; the caller decides whether the engine uses it.
"""

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkage.labels import LabelledPair
from matching.identity import Identity
from matching.splink_columns import splink_row

LABELS_TABLE = "review_labels"


@dataclass(frozen=True)
class RetrainResult:
    settings: dict[str, Any]
    matches: int
    non_matches: int


def _row(unique_id: int, who: Identity) -> dict[str, Any]:
    return splink_row(
        unique_id=unique_id,
        given=who.given_name or "",
        family=who.family_name or "",
        gender=who.gender,
        dob=who.date_of_birth,
        postcode=who.postcodes[0] if who.postcodes else "",
    )


def m_from_review_labels(base: dict[str, Any], pairs: Iterable[LabelledPair]) -> RetrainResult:
    """A copy of the Splink model JSON `base` with m re-estimated from the labelled matches in `pairs`."""
    from splink import DuckDBAPI, Linker  # development dependency (requirements-dev.txt)

    rows: list[dict[str, Any]] = []
    labels: list[dict[str, int]] = []
    non_matches = 0
    for pair in pairs:
        if not pair.is_match:
            non_matches += 1
            continue
        left, right = len(rows), len(rows) + 1
        rows += [_row(left, pair.incoming), _row(right, pair.candidate)]
        labels.append({"unique_id_l": left, "unique_id_r": right})
    if not labels:
        raise ValueError("no review has linked a record yet: there are no matches to learn m from")
    settings = copy.deepcopy(base)
    settings.pop("linker_uid", None)
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(rows), settings)
    linker.table_management.register_table(labels, LABELS_TABLE, overwrite=True)
    linker.training.estimate_m_from_pairwise_labels(LABELS_TABLE)
    trained = linker.misc.save_model_to_json()
    return RetrainResult(settings=trained, matches=len(labels), non_matches=non_matches)


def next_model_version(model_dir: Path, prefix: str = "fs-v") -> str:
    """The first `fs-vN` with no model file yet, so a retrained model never replaces one silently."""
    taken = [
        int(m.group(1))
        for path in model_dir.glob(f"{prefix}*.json")
        if (m := re.fullmatch(rf"{re.escape(prefix)}(\d+)\.json", path.name))
    ]
    return f"{prefix}{max(taken, default=0) + 1}"
