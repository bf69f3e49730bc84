"""National re-linkage: the committed Splink model, run by Splink itself on DuckDB here, Spark at scale.

The in-process engine (`matching`) links one record at a time against the index. A full national
re-linkage (every record of every source, tens of millions) is a batch job for an engine built for it:
Splink on Spark across a cluster, or on DuckDB on one large machine. Nothing is trained here and nothing
is home-made: the model is `matching/models/<version>.json` exactly as `manage.py train_matcher` saved it,
the rows are `matching.splink_columns.splink_row` (the engine's own normalisation), and acceptance is the
engine's: a pair is the same child at ACCEPT_WEIGHT bits of evidence or more, never when the engine would
not link it at all (family names that differ outright), and never when the engine would send it to a person
instead (a move and another difference, a possible twin or sibling, a record as
like one of two such children as the other: `edges_sql`), for a batch has no review.

Which backend runs it is the caller's choice (`db_api`): `splink.DuckDBAPI()` by default; in production
`splink.SparkAPI(spark_session=...)` with the same settings (docs/DEPLOYMENT.md). Splink is a batch-job
dependency (requirements-dev.txt), imported only when a re-linkage runs.
"""

import copy
import json
import math
from collections.abc import Iterable
from typing import Any

from linkage.linking import LINK_MARGIN, SIBLING_EDITS
from linkage.moves import AGREES_DESPITE_A_SLIP
from matching.scoring import (
    ACCEPT_WEIGHT,
    MODEL_DIR,
    MODEL_VERSION,
    NAME_BANDS,
    PROBABILITY_FLOOR,
    U_FLOOR,
)
from matching.splink_columns import splink_row

# Candidate pairs: wide enough that one mistake in any one field (and the commonest two: a family name
# changed, or a move, beside another) still leaves a shared rule (the same idea as the engine's OR-ed
# blocking keys), narrow enough that the pairs grow with the records, not with their square. Every rule
# pairs a date of birth or a family name with something else that splits it: nationally some 1,800
# children share each date of birth and tens of thousands a common family name and year of birth, so a
# rule on a date of birth alone (or a family name and a year) made some 2e10 pairs of 12 million
# children (test_national_relink_blocking.py measures the growth).
BLOCKING_RULES = (
    # One household: any mistake in the given name or date of birth, and twins and siblings, which the
    # sibling rule must see to keep apart (`edges_sql`).
    "l.postcode = r.postcode AND l.family_key = r.family_key",
    # A move (or no postcode), a given name mistyped, missing or familiar.
    "l.dob = r.dob AND l.family_key = r.family_key",
    # A family name changed or mistyped (names the other way round too), near the old address.
    "l.dob = r.dob AND l.district = r.district",
    # A family name changed or mistyped, and a move.
    "l.dob = r.dob AND l.given_name = r.given_name",
    # A family name changed and a date of birth mistyped, at one address.
    "l.postcode = r.postcode AND l.given_name = r.given_name",
    # A date of birth mistyped (a digit, day and month swapped) and a move, or no postcode.
    "l.family_key = r.family_key AND l.given_name = r.given_name AND l.dob_year = r.dob_year",
    # A year of birth out and no postcode.
    "l.family_key = r.family_key AND l.given_name = r.given_name AND l.dob_md = r.dob_md",
    # A given name mistyped, familiar or missing (the rules above on `given_name` compare the first given
    # name as written: Ollie is not Oliver there), a date of birth mistyped within its year, and a move
    # within the postcode district. Some 4,000 children live in a district, a few hundred a year of birth.
    "l.family_key = r.family_key AND l.dob_year = r.dob_year AND l.district = r.district",
    # The same with the year of birth out.
    "l.family_key = r.family_key AND l.dob_md = r.dob_md AND l.district = r.district",
    # Day and month swapped beside a given name mistyped, familiar or missing, and a move or no postcode
    # (both ways round: Splink compares each pair once, l before r).
    "l.family_key = r.family_key AND l.dob_year = r.dob_year AND l.dob_md = r.dob_dm AND l.dob <> r.dob",
    "l.family_key = r.family_key AND l.dob_year = r.dob_year AND l.dob_dm = r.dob_md AND l.dob <> r.dob",
)


# Splink's gamma value for a comparison with a value missing on either side (its null level).
NULL_GAMMA = -1


def _gammas(settings: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Each comparison's level labels -> Splink's gamma values. Splink numbers a comparison's levels from
    the last ("else") = 0 upwards, null = NULL_GAMMA."""
    gammas: dict[str, dict[str, int]] = {}
    for comparison in settings["comparisons"]:
        levels = [
            lv["label_for_charts"] for lv in comparison["comparison_levels"] if not lv.get("is_null_level")
        ]
        gammas[comparison["output_column_name"]] = {
            label: len(levels) - 1 - i for i, label in enumerate(levels)
        }
    return gammas


def moved_and_more_sql(settings: dict[str, Any]) -> str:
    """`linkage.moves.moved_and_more` over Splink's predictions (its comparison vector values).

    A pair in different postcode districts is accepted only if name and date of birth agree but for a
    slip. Feeds send such a pair to a person; a batch has no review, so it stays apart (a missed link
    costs a review later, a false one merges two children).
    """
    gammas = _gammas(settings)
    agree = " AND ".join(
        f"gamma_{name} IN ({', '.join(str(gammas[name][label]) for label in sorted(labels) if label in gammas[name])})"
        for name, labels in AGREES_DESPITE_A_SLIP.items()
    )
    return f"(gamma_postcode = {gammas['postcode']['else']} AND NOT ({agree}))"


def _crosswise(column: str, other: str) -> str:
    """`column` of one record agrees with `other` of the other, exactly or by sound (the model's forms)."""
    return (
        f"(list_has_any({column}_forms_l, {other}_forms_r) OR list_has_any({column}_phon_l, {other}_phon_r))"
    )


def _names_swapped_sql() -> str:
    """Given and family names agree crosswise (exactly or by sound): the engine reads the pair as names
    typed the other way round (`matching.scoring.score`), a slip, and scores it on that reading."""
    return f"{_crosswise('given_name', 'family_name')} AND {_crosswise('family_name', 'given_name')}"


def family_differs_sql(settings: dict[str, Any]) -> str:
    """The family names differ outright (or one is missing), names taken as typed and, crosswise, the
    other way round: the engine's verdict is then "non" (`matching.scoring.verdict`: no anchor without a
    family name agreeing at some level), so the pair is never linked nor even a candidate
    (`linkage.linking.plausible_candidates`), whatever the other fields sum to. Two children of one given
    name and sex born the same day in one district are two children."""
    family = _gammas(settings)["family_name"]
    return f"(gamma_family_name IN ({family['else']}, {NULL_GAMMA}) AND NOT ({_names_swapped_sql()}))"


def possible_sibling_sql(settings: dict[str, Any]) -> str:
    """`linkage.linking.possible_sibling` over Splink's predictions: a twin or sibling, never one cluster.

    Twins share family name, date of birth, address and often sex, so the fields summed as independent
    pass the acceptance threshold while the given name, the one field that tells them apart, differs.
    Feeds send such a pair to a person; a batch has no review, so it stays apart. The same rule: a given
    name that differs outright; one only similar (a Jaro-Winkler band, where `MatchScore.given_edits` is
    counted) and SIBLING_EDITS letter edits or more away; or a sex that differs beside a given name that
    is not the same (a missing one included). Letter edits are counted between the names the model's
    bands compare (`given_name`, the first given name).

    The engine scores names typed the other way round too (`matching.scoring.score`) and reads the rule
    on the better reading; the model has no such level, so a pair whose given and family names agree
    crosswise (exactly or by sound) is read as that slip, not as a sibling.
    """
    gammas = _gammas(settings)
    given, gender = gammas["given_name"], gammas["gender"]
    similar = ", ".join(str(given[label]) for _, label in NAME_BANDS if label in given)
    far = f"damerau_levenshtein(given_name_l, given_name_r) >= {SIBLING_EDITS}"
    return (
        f"(NOT ({_names_swapped_sql()}) AND (gamma_given_name = {given['else']}"
        f" OR (gamma_given_name IN ({similar}) AND {far})"
        f" OR (gamma_gender = {gender['else']} AND gamma_given_name <> {given['exact']})))"
    )


def edges_sql(predicted: str, settings: dict[str, Any]) -> str:
    """The pairs of the table `predicted` (Splink's predictions) that may join two records in a cluster.

    A batch has no review, so what the engine would send to a person (`linkage.linking.link_decide`) is
    never an edge: family names that differ outright (`family_differs_sql`: the engine says "non"), a
    move and another difference (`moved_and_more_sql`), a possible twin or sibling
    (`possible_sibling_sql`), and an accepted pair whose record has another candidate within LINK_MARGIN
    bits that the sibling rule keeps apart from the first (the engine's second candidate within the
    margin: a record without a given name beside twins joins neither; one LINK_MARGIN bits or more the
    likelier keeps its edge). No identifiers here outweigh any of these. Clustering then takes the pairs
    at the acceptance threshold (`acceptance_probability`).
    """
    sibling, moved = possible_sibling_sql(settings), moved_and_more_sql(settings)
    unrelated = family_differs_sql(settings)
    accepted = f"match_probability >= {acceptance_probability(settings)!r} AND NOT unrelated"
    # A candidate the margin can reach: within LINK_MARGIN bits of the acceptance (a close call or more),
    # and one the engine does not rule out ("non" is no candidate: `linkage.linking.plausible_candidates`).
    plausible = f"match_weight > {splink_weight(settings, ACCEPT_WEIGHT - LINK_MARGIN)!r} AND NOT unrelated"
    return f"""
        WITH scored AS (
            SELECT unique_id_l, unique_id_r, match_weight, match_probability,
                {sibling} AS sibling, {moved} AS moved, {unrelated} AS unrelated
            FROM {predicted}
        ),
        plausible AS (
            SELECT unique_id_l AS x, unique_id_r AS y, match_weight AS w FROM scored WHERE {plausible}
            UNION ALL
            SELECT unique_id_r, unique_id_l, match_weight FROM scored WHERE {plausible}
        ),
        accepted AS (
            SELECT unique_id_l AS x, unique_id_r AS y, match_weight AS w FROM scored
            WHERE NOT sibling AND NOT moved AND {accepted}
            UNION ALL
            SELECT unique_id_r, unique_id_l, match_weight FROM scored
            WHERE NOT sibling AND NOT moved AND {accepted}
        ),
        apart AS (
            SELECT unique_id_l AS a, unique_id_r AS b FROM scored WHERE sibling
            UNION ALL
            SELECT unique_id_r, unique_id_l FROM scored WHERE sibling
        ),
        ambiguous AS (
            SELECT DISTINCT edge.x, edge.y FROM accepted AS edge
            JOIN plausible AS other ON other.x = edge.x
            JOIN apart ON apart.a = edge.y AND apart.b = other.y
            WHERE other.w > edge.w - {LINK_MARGIN!r}
        ),
        either_way AS (
            SELECT x, y FROM ambiguous UNION SELECT y, x FROM ambiguous
        )
        SELECT pair.* FROM {predicted} AS pair
        LEFT JOIN either_way ON either_way.x = pair.unique_id_l AND either_way.y = pair.unique_id_r
        WHERE either_way.x IS NULL AND NOT {moved} AND NOT {sibling} AND NOT {unrelated}
    """  # noqa: S608 - table names and constants, no values


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


def splink_weight(settings: dict[str, Any], bits: float) -> float:
    """Splink's match weight for `bits` of the engine's evidence.

    The engine sums Bayes factors (bits) without the prior; Splink's match weight adds the prior's
    log-odds. The same evidence is therefore bits + log2(prior odds) in Splink's terms.
    """
    prior = float(settings["probability_two_random_records_match"])
    return bits + math.log2(prior / (1 - prior))


def acceptance_probability(settings: dict[str, Any], accept_weight: float = ACCEPT_WEIGHT) -> float:
    """Splink's match probability at the engine's acceptance weight (`splink_weight`)."""
    return 1 / (1 + 2 ** (-splink_weight(settings, accept_weight)))


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
    # Written in the model's dialect, like its comparison levels, and translated as Splink translates them.
    edges = edges_sql(predicted.physical_name, settings)
    dialect = api.sql_dialect.sqlglot_dialect
    if dialect != settings.get("sql_dialect", "duckdb"):
        import sqlglot  # a dependency of Splink's

        edges = sqlglot.transpile(edges, read=settings.get("sql_dialect", "duckdb"), write=dialect)[0]
    pairs = linker.misc.query_sql(edges, output_type="splink_df")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pairs, threshold_match_probability=acceptance_probability(settings)
    )
    return {str(row["unique_id"]): str(row["cluster_id"]) for row in clusters.as_record_list()}
