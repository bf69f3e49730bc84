"""Linkage accuracy: multi-source synthetic records with ground truth, our engine and Splink side by side.

A population of BENCH_LINK_CHILDREN children (default 2,000) is reported by three sources (health 95%,
school 80%, benefit 70% of children); each record has, with probability 0.35, one everyday mistake
(typo in either name, familiar given name, day/month swapped, moved or missing postcode, hyphen
dropped). BENCH_LINK_TWIN_SHARE (default 3%) of children have a twin: same family name, date of birth and
address, another given name (and sex at random), reported the same way. Ground truth is the child each
record came from; "twin pairs merged" counts twins with records in one cluster.

- ours: `linkage.filelink.link_file` (the one engine: blocking keys, Fellegi-Sunter scorer, margin rule;
  "review" records stay in their own cluster, as they would wait for a person).
- Splink 5 (DuckDB): standard comparisons (NameComparison, DateOfBirthComparison, PostcodeComparison,
  ExactMatch on sex), blocking on DOB, on family+given name, on postcode; u by random sampling, m by EM;
  clusters at match probability 0.95.

Pairwise precision, recall and F1 over all record pairs, plus our review rate and the time taken.
Environment: BENCH_LINK_CHILDREN, BENCH_LINK_SEED.
"""

import csv
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

CHILDREN = int(os.environ.get("BENCH_LINK_CHILDREN", "2000"))
SEED = int(os.environ.get("BENCH_LINK_SEED", "20261202"))
SOURCES = (("health", 0.95), ("school", 0.80), ("benefit", 0.70))
MISTAKE_SHARE = 0.35
TWIN_SHARE = float(os.environ.get("BENCH_LINK_TWIN_SHARE", "0.03"))


def _with_mistake(rng: random.Random, record: dict[str, str]) -> dict[str, str]:
    from children.synthetic.mistakes import dob_transposed, hyphen_dropped, nickname, typo
    from children.synthetic.places import PLACES, postcode

    kind = rng.choice(("typo_family", "typo_given", "nickname", "dob", "moved", "no_postcode", "hyphen"))
    if kind == "typo_family":
        record["family_name"] = typo(rng, record["family_name"]) or record["family_name"]
    elif kind == "typo_given":
        record["given_name"] = typo(rng, record["given_name"]) or record["given_name"]
    elif kind == "nickname":
        record["given_name"] = nickname(rng, record["given_name"]) or record["given_name"]
    elif kind == "dob":
        swapped = dob_transposed(date.fromisoformat(record["date_of_birth"]))
        record["date_of_birth"] = swapped.isoformat() if swapped else record["date_of_birth"]
    elif kind == "moved":
        record["postcode"] = postcode(rng, rng.choice(PLACES))
    elif kind == "no_postcode":
        record["postcode"] = ""
    else:
        record["family_name"] = hyphen_dropped(rng, record["family_name"]) or record["family_name"]
    return record


def _reported(
    rng: random.Random, base: dict[str, str], child: int, rows: list[dict[str, str]], truth: dict[str, int]
) -> None:
    """Each source's record of one child (if it knows the child), some with one mistake."""
    for source, share in SOURCES:
        if rng.random() > share:
            continue
        record = dict(base)
        if rng.random() < MISTAKE_SHARE:
            record = _with_mistake(rng, record)
        record_id = f"{source}-{len(rows)}"
        rows.append({"record_id": record_id, "source": source, **record})
        truth[record_id] = child


def _records(rng: random.Random) -> tuple[list[dict[str, str]], dict[str, int], list[tuple[int, int]]]:
    from children.synthetic.names import FAMILY_NAMES, child_given_names
    from children.synthetic.places import PLACES, postcode

    rows: list[dict[str, str]] = []
    truth: dict[str, int] = {}
    twin_pairs: list[tuple[int, int]] = []
    # Twins from their own random stream, so every other record is the same with or without them.
    twins = random.Random(SEED + 1)
    for child in range(CHILDREN):
        sex = rng.choice(("F", "M"))
        place = rng.choice(PLACES)
        base = {
            "given_name": child_given_names(rng, "female" if sex == "F" else "male").split(" ")[0],
            "family_name": FAMILY_NAMES.draw(rng),
            "date_of_birth": (date(2008, 1, 1) + timedelta(days=rng.randrange(17 * 365))).isoformat(),
            "sex": sex,
            "address_line": f"{rng.randrange(1, 200)} High Street",
            "town": place.key,
            "postcode": postcode(rng, place),
        }
        _reported(rng, base, child, rows, truth)
        if twins.random() < TWIN_SHARE:
            # A twin: the same family name, date of birth and address; another given name (and maybe sex).
            twin_sex = twins.choice(("F", "M"))
            given = base["given_name"]
            while given == base["given_name"]:
                given = child_given_names(twins, "female" if twin_sex == "F" else "male").split(" ")[0]
            twin = CHILDREN + len(twin_pairs)
            _reported(twins, {**base, "given_name": given, "sex": twin_sex}, twin, rows, truth)
            twin_pairs.append((child, twin))
    rng.shuffle(rows)
    return rows, truth, twin_pairs


def twins_merged(
    clusters: dict[str, object], truth: dict[str, int], twin_pairs: list[tuple[int, int]]
) -> int:
    """Twin pairs with at least one record of each in the same cluster."""
    by_child: dict[int, set[object]] = {}
    for record, child in truth.items():
        by_child.setdefault(child, set()).add(clusters[record])
    return sum(bool(by_child.get(a, set()) & by_child.get(b, set())) for a, b in twin_pairs)


def _pairs(groups: Counter[object]) -> int:
    return sum(n * (n - 1) // 2 for n in groups.values())


def metrics(clusters: dict[str, object], truth: dict[str, int]) -> tuple[float, float, float]:
    predicted = _pairs(Counter(clusters.values()))
    actual = _pairs(Counter(truth.values()))
    agreed = _pairs(Counter((clusters[r], truth[r]) for r in clusters))
    precision = agreed / predicted if predicted else 1.0
    recall = agreed / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def ours(rows: list[dict[str, str]], directory: Path) -> tuple[dict[str, object], float, float]:
    from linkage.filelink import COLUMNS, link_file

    source, out = directory / "records.csv", directory / "clusters.csv"
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    started = time.perf_counter()
    with source.open(newline="") as handle, out.open("w", newline="") as written:
        report = link_file(handle, written)
    elapsed = time.perf_counter() - started
    with out.open(newline="") as handle:
        clusters: dict[str, object] = {
            r["record_id"]: r["cluster_id"] or r["record_id"] for r in csv.DictReader(handle)
        }
    return clusters, report.reviews / max(report.records, 1), elapsed


def splink(rows: list[dict[str, str]]) -> tuple[dict[str, object], float]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    data = [{**r, "unique_id": r["record_id"], "postcode": r["postcode"] or None} for r in rows]
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("family_name"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("date_of_birth"),
            block_on("family_name", "given_name"),
            block_on("postcode"),
        ],
    )
    started = time.perf_counter()
    linker = Linker(DuckDBAPI().register(data), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("family_name", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=SEED)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("family_name"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, 0.95
    ).as_record_list()
    elapsed = time.perf_counter() - started
    return {row["unique_id"]: row["cluster_id"] for row in clustered}, elapsed


def main() -> None:
    import logging

    import django

    django.setup()
    logging.getLogger("splink").setLevel(logging.ERROR)
    rows, truth, twin_pairs = _records(random.Random(SEED))
    print(
        f"{CHILDREN:,} children and {len(twin_pairs)} twins, {len(rows):,} records from {len(SOURCES)} sources, "
        f"seed {SEED}"
    )
    with tempfile.TemporaryDirectory() as directory:
        clusters, review_rate, elapsed = ours(rows, Path(directory))
    p, r, f = metrics(clusters, truth)
    merged = twins_merged(clusters, truth, twin_pairs)
    print(
        f"ours:   precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}  review rate {review_rate:.2%}  "
        f"twin pairs merged {merged}/{len(twin_pairs)}  {elapsed:.1f} s"
    )
    try:
        theirs, spent = splink(rows)
    except Exception as failed:
        print(f"splink: failed ({type(failed).__name__}: {failed})")
        return
    p, r, f = metrics(theirs, truth)
    merged = twins_merged(theirs, truth, twin_pairs)
    print(
        f"splink: precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}  (no review band)  "
        f"twin pairs merged {merged}/{len(twin_pairs)}  {spent:.1f} s"
    )


if __name__ == "__main__":
    main()
