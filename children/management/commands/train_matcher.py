"""Train the search matcher's Fellegi-Sunter parameters with Splink on synthetic data.

Writes matching/models/<version>.json (Splink's own model JSON: comparison levels with trained m and u)
and <version>-tf.json (term frequencies of names, for exact-agreement adjustment). The engine's scorer
(matching.scoring) reads both; it never imports Splink, which is a development dependency only.

The training set is synthetic (children.synthetic.search_errors): a population plus, for a share of it,
a second record of the same child carrying one or two of the documented mistakes. The comparison levels
below are the SQL twins of the scorer's Python levels and must stay in step with matching/scoring.py.
"""

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from children.synthetic.search_errors import Person, corrupted, error_class, population
from matching.normalise import fold, name_forms, phonetic
from matching.scoring import MODEL_DIR, MODEL_VERSION
from matching.splink_columns import splink_row

_JW = (("jw_high", 0.92), ("jw_mid", 0.85), ("jw_low", 0.75))


def _name_levels(column: str, *, nickname: bool) -> list[dict[str, Any]]:
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
    levels.append({"sql_condition": "ELSE", "label_for_charts": "else"})
    return levels


def _settings(prior: float) -> dict[str, Any]:
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
                "comparison_levels": _name_levels("family_name", nickname=False),
            },
            {
                "output_column_name": "given_name",
                "comparison_levels": _name_levels("given_name", nickname=True),
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


def training_rows(
    *, people: int, duplicate_share: float, seed: int
) -> tuple[list[dict[str, Any]], list[Person], int]:
    """A synthetic population and mistaken second records of some of it; returns rows, people, pairs."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    everyone = list(population(rng, people))
    rows = [_row(i, p, i) for i, p in enumerate(everyone)]
    duplicates = 0
    for child, p in enumerate(everyone):
        if rng.random() >= duplicate_share:
            continue
        mistaken: Person = p
        for _ in range(rng.choice((1, 1, 2))):
            mistaken = corrupted(rng, mistaken, error_class(rng)) or mistaken
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


class Command(BaseCommand):
    help = "Train the Fellegi-Sunter search model with Splink on synthetic data (writes matching/models/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=30_000)
        parser.add_argument("--duplicate-share", type=float, default=0.3)
        parser.add_argument("--seed", type=int, default=20261202)
        parser.add_argument("--model-version", default=MODEL_VERSION)
        parser.add_argument("--out-dir", default=str(MODEL_DIR))

    def handle(self, *args: Any, **options: Any) -> None:
        from splink import DuckDBAPI, Linker  # development dependency (requirements-dev.txt)

        rows, everyone, duplicates = training_rows(
            people=options["people"], duplicate_share=options["duplicate_share"], seed=options["seed"]
        )
        pairs = len(rows) * (len(rows) - 1) / 2
        db_api = DuckDBAPI()
        linker = Linker(db_api.register(rows), _settings(prior=duplicates / pairs))
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=options["seed"])
        # The data are synthetic, so which records are the same child is known: m is estimated from those
        # labels rather than by EM, which on this data can settle on a wrong clustering (e.g. same-surname
        # siblings-like pairs) and would make the model depend on the luck of initial values.
        linker.training.estimate_m_from_label_column("child")
        out_dir = Path(options["out_dir"])
        out_dir.mkdir(parents=True, exist_ok=True)
        model_path = out_dir / f"{options['model_version']}.json"
        linker.misc.save_model_to_json(str(model_path), overwrite=True)
        tf_path = out_dir / f"{options['model_version']}-tf.json"
        tf_path.write_text(json.dumps(term_frequencies(everyone), indent=1, sort_keys=True) + "\n")
        self.stdout.write(
            f"trained on {len(rows):,} synthetic records ({duplicates:,} mistaken duplicates); wrote {model_path}"
        )
