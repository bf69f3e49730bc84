"""National re-linkage: the committed Splink model, run by Splink itself on DuckDB here, Spark at scale.

The in-process engine (`matching`) links one record at a time against the index. A full national
re-linkage (every record of every source, tens of millions) is a batch job for an engine built for it:
Splink on Spark across a cluster, or on DuckDB on one large machine. Nothing is trained here and nothing
is home-made: the model is `matching/models/<version>.json` exactly as `manage.py train_matcher` saved it,
the rows are `matching.splink_columns.splink_row` (the engine's own normalisation), and acceptance is the
engine's: a pair is the same child at ACCEPT_WEIGHT bits of evidence or more.

Which backend runs it is the caller's choice (`db_api`): `splink.DuckDBAPI()` by default; in production
`splink.SparkAPI(spark_session=...)` with the same settings (docs/DEPLOYMENT.md). Splink is a batch-job
dependency (requirements-dev.txt), imported only when a re-linkage runs.
"""

import copy
import json
import math
from collections.abc import Iterable
from typing import Any

from linkage.moves import AGREES_DESPITE_A_SLIP
from matching.scoring import ACCEPT_WEIGHT, MODEL_DIR, MODEL_VERSION, PROBABILITY_FLOOR, U_FLOOR
from matching.splink_columns import splink_row

# Candidate pairs: wide enough that one mistake in any one field still leaves a shared rule (the same
# idea as the engine's OR-ed blocking keys), narrow enough for Spark to partition.
BLOCKING_RULES = (
    "l.dob = r.dob",
    "l.family_key = r.family_key AND l.dob_year = r.dob_year",
    "l.family_key = r.family_key AND l.dob_md = r.dob_md",
    "l.given_name = r.given_name AND l.dob_ym = r.dob_ym",
    "l.postcode = r.postcode AND l.family_key = r.family_key",
    "l.district = r.district AND l.dob_year = r.dob_year AND l.gender = r.gender",
)


def moved_and_more_sql(settings: dict[str, Any]) -> str:
    """`linkage.moves.moved_and_more` over Splink's predictions (its comparison vector values).

    A pair in different postcode districts is accepted only if name and date of birth agree but for a
    slip. Feeds send such a pair to a person; a batch has no review, so it stays apart (a missed link
    costs a review later, a false one merges two children). Splink numbers a comparison's levels from
    the last ("else") = 0 upwards, null = -1.
    """
    gammas: dict[str, dict[str, int]] = {}
    for comparison in settings["comparisons"]:
        levels = [
            lv["label_for_charts"] for lv in comparison["comparison_levels"] if not lv.get("is_null_level")
        ]
        gammas[comparison["output_column_name"]] = {
            label: len(levels) - 1 - i for i, label in enumerate(levels)
        }
    agree = " AND ".join(
        f"gamma_{name} IN ({', '.join(str(gammas[name][label]) for label in sorted(labels) if label in gammas[name])})"
        for name, labels in AGREES_DESPITE_A_SLIP.items()
    )
    return f"(gamma_postcode = {gammas['postcode']['else']} AND NOT ({agree}))"


def model_settings(version: str = MODEL_VERSION) -> dict[str, Any]:
    """The saved model with the re-linkage blocking rules: the same m and u as the engine reads them."""
    settings = json.loads((MODEL_DIR / f"{version}.json").read_text())
    settings = copy.deepcopy(settings)
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            # A level never seen in training: the engine uses its floors, so Splink must too.
            level["m_probability"] = max(float(level.get("m_probability") or 0.0), PROBABILITY_FLOOR)
            level["u_probability"] = max(float(level.get("u_probability") or 0.0), U_FLOOR)
    settings["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": rule, "sql_dialect": settings.get("sql_dialect", "duckdb")}
        for rule in BLOCKING_RULES
    ]
    settings["link_type"] = "dedupe_only"
    return settings


def acceptance_probability(settings: dict[str, Any], accept_weight: float = ACCEPT_WEIGHT) -> float:
    """Splink's match probability at the engine's acceptance weight.

    The engine sums Bayes factors (bits) without the prior; Splink's match weight adds the prior's
    log-odds. The same evidence threshold is therefore accept_weight + log2(prior odds) in Splink's terms.
    """
    prior = float(settings["probability_two_random_records_match"])
    weight = accept_weight + math.log2(prior / (1 - prior))
    return 1 / (1 + 2 ** (-weight))


def national_relink(
    records: Iterable[dict[str, Any]], *, db_api: Any = None, version: str = MODEL_VERSION
) -> dict[str, str]:
    """Cluster `records` (dicts with record_id, given, family, gender, dob, postcode): record_id -> cluster id.

    `record_id` is Splink's unique id, so it must be unique across all the records: sources number their
    own records, so a caller linking several sources keys each record by (source, id) or by its row (as
    `manage.py national_relink` does). ValueError if an id repeats; no records, no clusters.
    """
    from splink import DuckDBAPI, Linker  # batch-job dependency, see the module docstring

    records = list(records)
    if len({str(r["record_id"]) for r in records}) != len(records):
        raise ValueError("record_id must be unique across the records (key them by source and id)")
    if not records:
        return {}  # Splink cannot register an empty table
    rows = [
        splink_row(
            unique_id=str(r["record_id"]),
            given=r.get("given") or "",
            family=r["family"],
            gender=r.get("gender"),
            dob=r.get("dob"),
            postcode=r.get("postcode") or "",
        )
        for r in records
    ]
    settings = model_settings(version)
    api = db_api or DuckDBAPI()
    linker = Linker(api.register(rows), settings)
    predicted = linker.inference.predict()
    pairs = linker.misc.query_sql(
        f"SELECT * FROM {predicted.physical_name} WHERE NOT {moved_and_more_sql(settings)}",  # noqa: S608
        output_type="splink_df",
    )
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pairs, threshold_match_probability=acceptance_probability(settings)
    )
    return {str(row["unique_id"]): str(row["cluster_id"]) for row in clusters.as_record_list()}
