"""Train the matcher's Fellegi-Sunter parameters with Splink: on synthetic data, or from review labels.

Synthetic (the default) writes matching/models/<version>.json (Splink's own model JSON: comparison levels with trained m and u)
and <version>-tf.json (term frequencies of names, for exact-agreement adjustment). The engine's scorer
(matching.scoring) reads both; it never imports Splink, which is a development dependency only.

The training set is synthetic (children.synthetic.search_errors): a population plus, for a share of it,
a second record of the same child carrying one or two of the documented mistakes. The comparison levels
below are the SQL twins of the scorer's Python levels and must stay in step with matching/scoring.py.

`--from-review-labels` starts from the model in use and re-estimates only m from clerical review
decisions (`linkage.retraining`); it writes the next free version (`fs-vN`) unless `--model-version` is
given. No run replaces an existing model file without `--overwrite`: the engine keeps its model until
someone deliberately switches `matching.scoring.MODEL_VERSION`. Lives in linkage (not children) because
the labels are linkage's.
"""

import json
import random
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from children.synthetic.search_errors import Person, corrupted, error_class, population
from linkage.labels import labelled_pairs
from linkage.retraining import m_from_review_labels, next_model_version
from matching.normalise import fold, name_forms, phonetic
from matching.scoring import (
    EDIT_LEVEL,
    EDIT_MIN_LENGTH,
    MODEL_DIR,
    MODEL_VERSION,
    ModelInvalid,
    check_splink_model,
)
from matching.splink_columns import splink_row

_JW = (("jw_high", 0.92), ("jw_mid", 0.85), ("jw_low", 0.75))


def _edit_level(column: str) -> dict[str, Any]:
    """The SQL twin of matching.scoring's EDIT_LEVEL: one letter out, where every Jaro-Winkler band failed."""
    return {
        "sql_condition": (
            f"damerau_levenshtein({column}_l, {column}_r) <= 1 "
            f"AND greatest(length({column}_l), length({column}_r)) >= {EDIT_MIN_LENGTH}"
        ),
        "label_for_charts": EDIT_LEVEL,
    }


def _name_levels(column: str, *, nickname: bool, edit_level: bool = False) -> list[dict[str, Any]]:
    levels: list[dict[str, Any]] = [
        {
            "sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL",
            "label_for_charts": "null",
            "is_null_level": True,
        },
        {"sql_condition": f"list_has_any({column}_forms_l, {column}_forms_r)", "label_for_charts": "exact"},
    ]
    if nickname:
        levels.append(
            {
                "sql_condition": f"list_has_any({column}_formal_l, {column}_formal_r)",
                "label_for_charts": "nickname",
            }
        )
    levels.append(
        {"sql_condition": f"list_has_any({column}_phon_l, {column}_phon_r)", "label_for_charts": "phonetic"}
    )
    levels += [
        {
            "sql_condition": f"jaro_winkler_similarity({column}_l, {column}_r) >= {floor}",
            "label_for_charts": label,
        }
        for label, floor in _JW
    ]
    if edit_level:
        levels.append(_edit_level(column))
    levels.append({"sql_condition": "ELSE", "label_for_charts": "else"})
    return levels


def cap_edit_levels(model: dict[str, Any]) -> dict[str, Any]:
    """Weigh one letter out in a short name no more than one slip in a longer name (the jw_high level).

    The level is rare among random pairs: in 20 million sampled pairs no two family names landed there
    (u = 0), so its weight would rest on the u floor (+13 bits, more than an exact name). A single slip
    in a longer name is what jw_high catches, and where the sample did measure the level (given names)
    it came out at jw_high's Bayes factor; so u is set to give that factor where it was not measured or
    would give more.
    """
    for comparison in model["comparisons"]:
        levels = {lv["label_for_charts"]: lv for lv in comparison["comparison_levels"]}
        edit, high = levels.get(EDIT_LEVEL), levels.get("jw_high")
        if not edit or not high or not edit.get("m_probability"):
            continue
        factor = float(high["m_probability"]) / float(high["u_probability"])
        u = edit.get("u_probability")
        if not u or float(edit["m_probability"]) / float(u) > factor:
            edit["u_probability"] = float(edit["m_probability"]) / factor
    return model


def _settings(prior: float, *, edit_level: bool = False) -> dict[str, Any]:
    def null(column: str) -> dict[str, Any]:
        return {
            "sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL",
            "label_for_charts": "null",
            "is_null_level": True,
        }

    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "comparisons": [
            {
                "output_column_name": "family_name",
                "comparison_levels": _name_levels("family_name", nickname=False, edit_level=edit_level),
            },
            {
                "output_column_name": "given_name",
                "comparison_levels": _name_levels("given_name", nickname=True, edit_level=edit_level),
            },
            {
                "output_column_name": "dob",
                "comparison_levels": [
                    null("dob"),
                    {"sql_condition": "dob_l = dob_r", "label_for_charts": "exact"},
                    {
                        "sql_condition": "dob_year_l = dob_year_r AND dob_md_l = dob_dm_r",
                        "label_for_charts": "swapped",
                    },
                    {
                        "sql_condition": "dob_md_l = dob_md_r AND abs(dob_year_l - dob_year_r) = 1",
                        "label_for_charts": "year_off",
                    },
                    {
                        "sql_condition": "damerau_levenshtein(dob_l, dob_r) = 1",
                        "label_for_charts": "one_digit",
                    },
                    {"sql_condition": "dob_ym_l = dob_ym_r", "label_for_charts": "month_year"},
                    {"sql_condition": "ELSE", "label_for_charts": "else"},
                ],
            },
            {
                "output_column_name": "postcode",
                "comparison_levels": [
                    null("postcode"),
                    {"sql_condition": "postcode_l = postcode_r", "label_for_charts": "full"},
                    {"sql_condition": "sector_l = sector_r", "label_for_charts": "sector"},
                    {"sql_condition": "district_l = district_r", "label_for_charts": "district"},
                    {"sql_condition": "ELSE", "label_for_charts": "else"},
                ],
            },
            {
                "output_column_name": "gender",
                "comparison_levels": [
                    null("gender"),
                    {"sql_condition": "gender_l = gender_r", "label_for_charts": "exact"},
                    {"sql_condition": "ELSE", "label_for_charts": "else"},
                ],
            },
        ],
    }


def _row(unique_id: int, who: Person, child: int) -> dict[str, Any]:
    """One training row: the shared Splink columns plus the label (which child it really is)."""
    row = splink_row(
        unique_id=unique_id,
        given=who.given,
        family=who.family,
        gender=who.gender,
        dob=who.dob,
        postcode=who.postcode,
    )
    return {**row, "child": child}


# Second records of a child that carry a postcode from elsewhere in the country (`--moved-away-share`).
# Children move house and sources learn of it months apart, but the search mistakes only move a child
# within its district, so fs-v1 (share 0) scores a pair in different districts at the floor. fs-v2
# (share 0.05) links moved children better in a small file but falsely links namesakes with a near date
# of birth in a large population (docs/BENCHMARKS.md, "Linkage accuracy"): not in use. fs-v3 (share 0.05,
# `--name-edit-level`, `--u-max-pairs 2e7`) with `linkage.moves.moved_and_more` beats Splink on both linkage
# sets but still lowers national re-linkage F1 (0.9962 -> 0.9953): not in use either.
MOVED_AWAY_SHARE = 0.0
# Random pairs Splink samples to estimate u. fs-v1 and fs-v2 used 2 million, in which no random pair
# landed at the one-letter-out level (u = 0, so its weight would rest on the floor).
U_MAX_PAIRS = 2e6


def training_rows(
    *, people: int, duplicate_share: float, seed: int, moved_away_share: float = MOVED_AWAY_SHARE
) -> tuple[list[dict[str, Any]], list[Person], int]:
    """A synthetic population and mistaken second records of some of it; returns rows, people, pairs."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    everyone = list(population(rng, people))
    rows = [_row(i, p, i) for i, p in enumerate(everyone)]
    # Moves drawn from their own stream, so the other mistakes are the same with or without them.
    movers = random.Random(seed + 1)  # noqa: S311 - synthetic data, not security
    duplicates = 0
    for child, p in enumerate(everyone):
        if rng.random() >= duplicate_share:
            continue
        mistaken: Person = p
        for _ in range(rng.choice((1, 1, 2))):
            mistaken = corrupted(rng, mistaken, error_class(rng)) or mistaken
        if movers.random() < moved_away_share:
            # A move out of the district: another child's postcode anywhere in the country.
            mistaken = replace(mistaken, postcode=movers.choice(everyone).postcode)
        rows.append(_row(len(rows), mistaken, child))
        duplicates += 1
    return rows, everyone, duplicates


def term_frequencies(everyone: list[Person], *, floor: float = 1e-4) -> dict[str, dict[str, float]]:
    """How common each folded name, and each name's phonetic code, is; rarer than `floor` uses the model's u.

    Agreeing on SMITH, or on a code that every SMITH/SMYTH shares, is weak evidence; the scorer replaces
    the level's average u with these frequencies (Splink's term-frequency adjustment).
    """
    family = [f for p in everyone for f in name_forms(p.family)]
    given = [fold(p.given.split(" ")[0]) for p in everyone]
    tables: dict[str, dict[str, float]] = {}
    for name, values in (
        ("family_name", family),
        ("given_name", given),
        ("family_name_phonetic", [phonetic(f) for f in family]),
        ("given_name_phonetic", [phonetic(g) for g in given]),
    ):
        counts = Counter(values)
        total = len(everyone)
        tables[name] = {v: round(c / total, 6) for v, c in counts.most_common() if c / total >= floor}
    return tables


def _write_model(
    path: Path, settings: dict[str, Any], frequencies: dict[str, dict[str, float]] | None = None
) -> None:
    """Write a model only if the service would read it (`check_splink_model`): a level trained (or carried
    over from a base) as NaN, or any value not a probability, stops here with the reason, never at the
    next start of the service. Nothing is written then."""
    try:
        check_splink_model(settings, frequencies)
    except ModelInvalid as error:
        raise CommandError(str(error)) from error
    path.write_text(json.dumps(settings, indent=4, allow_nan=False) + "\n")


class Command(BaseCommand):
    help = (
        "Train the Fellegi-Sunter matching model with Splink on synthetic data, or re-estimate m from "
        "clerical review labels (--from-review-labels); writes matching/models/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=30_000)
        parser.add_argument("--duplicate-share", type=float, default=0.3)
        parser.add_argument(
            "--moved-away-share",
            type=float,
            default=MOVED_AWAY_SHARE,
            help="share of duplicates moved to another district (fs-v1: 0, fs-v2: 0.05)",
        )
        parser.add_argument(
            "--name-edit-level",
            action="store_true",
            help="add a one-letter-out (Damerau-Levenshtein <= 1) level below the Jaro-Winkler bands (fs-v3)",
        )
        parser.add_argument(
            "--u-max-pairs",
            type=float,
            default=U_MAX_PAIRS,
            help="random pairs for u (fs-v1/fs-v2: 2e6; a rare level such as one letter out needs more)",
        )
        parser.add_argument("--seed", type=int, default=20261202)
        parser.add_argument(
            "--from-review-labels",
            action="store_true",
            help="re-estimate m from clerical review decisions, starting from --base-version",
        )
        parser.add_argument("--base-version", default=MODEL_VERSION, help="the model labels start from")
        parser.add_argument("--model-version", default=None, help="version to write (default: see above)")
        parser.add_argument("--out-dir", default=str(MODEL_DIR))
        parser.add_argument("--overwrite", action="store_true", help="replace an existing model file")

    def _target(self, out_dir: Path, version: str, *, overwrite: bool) -> tuple[Path, Path]:
        model_path, tf_path = out_dir / f"{version}.json", out_dir / f"{version}-tf.json"
        if model_path.exists() and not overwrite:
            raise CommandError(f"{model_path} exists; choose another --model-version or pass --overwrite")
        return model_path, tf_path

    def handle(self, *args: Any, **options: Any) -> None:
        out_dir = Path(options["out_dir"])
        out_dir.mkdir(parents=True, exist_ok=True)
        if options["from_review_labels"]:
            self._from_labels(out_dir, options)
        else:
            self._synthetic(out_dir, options)

    def _from_labels(self, out_dir: Path, options: dict[str, Any]) -> None:
        base_version = options["base_version"]
        base_dir = Path(options["out_dir"]) if (out_dir / f"{base_version}.json").exists() else MODEL_DIR
        base = json.loads((base_dir / f"{base_version}.json").read_text())
        version = options["model_version"] or next_model_version(out_dir)
        model_path, tf_path = self._target(out_dir, version, overwrite=options["overwrite"])
        try:
            result = m_from_review_labels(base, labelled_pairs())
        except ValueError as error:
            raise CommandError(str(error)) from error
        base_tf = base_dir / f"{base_version}-tf.json"
        frequencies = json.loads(base_tf.read_text()) if base_tf.exists() else None
        _write_model(model_path, result.settings, frequencies)  # checked with the frequencies it carries
        if base_tf.exists():
            tf_path.write_text(base_tf.read_text())
        self.stdout.write(
            f"re-estimated m from {result.matches:,} linked pairs ({result.non_matches:,} non-match labels "
            f"not used for m) starting from {base_version}; wrote {model_path}"
        )

    def _synthetic(self, out_dir: Path, options: dict[str, Any]) -> None:
        from splink import DuckDBAPI, Linker  # development dependency (requirements-dev.txt)

        model_path, tf_path = self._target(
            out_dir, options["model_version"] or MODEL_VERSION, overwrite=options["overwrite"]
        )
        rows, everyone, duplicates = training_rows(
            people=options["people"],
            duplicate_share=options["duplicate_share"],
            seed=options["seed"],
            moved_away_share=options["moved_away_share"],
        )
        pairs = len(rows) * (len(rows) - 1) / 2
        db_api = DuckDBAPI()
        settings = _settings(prior=duplicates / pairs, edit_level=options["name_edit_level"])
        linker = Linker(db_api.register(rows), settings)
        linker.training.estimate_u_using_random_sampling(
            max_pairs=options["u_max_pairs"], seed=options["seed"]
        )
        # The data are synthetic, so which records are the same child is known: m is estimated from those
        # labels rather than by EM, which on this data can settle on a wrong clustering (e.g. same-surname
        # siblings-like pairs) and would make the model depend on the luck of initial values.
        linker.training.estimate_m_from_label_column("child")
        model = cap_edit_levels(linker.misc.save_model_to_json(overwrite=True))
        frequencies = term_frequencies(everyone)
        _write_model(model_path, model, frequencies)
        tf_path.write_text(json.dumps(frequencies, indent=1, sort_keys=True, allow_nan=False) + "\n")
        self.stdout.write(
            f"trained on {len(rows):,} synthetic records ({duplicates:,} mistaken duplicates); wrote {model_path}"
        )
