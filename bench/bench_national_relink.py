"""National re-linkage with the committed Splink model on DuckDB: accuracy and throughput (issue #10.8).

A synthetic population (children.synthetic.search_errors), a brother or sister at the same address for
BENCH_RELINK_HOUSEHOLDS of it (default 0.25; a twin one time in six), a mistaken second record for 35% of
every child, then `linkage.national.national_relink` (no training; the engine's m, u and acceptance
threshold). Reports pairwise precision, recall and F1 against the truth, how many brothers and sisters
were put in one cluster, records per second and peak memory.
Size: BENCH_RELINK_PEOPLE (default 50,000), seed BENCH_RELINK_SEED.
"""

import logging
import os
import resource
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()
logging.disable(logging.WARNING)  # Splink's progress logs

from linkage.national import national_relink  # noqa: E402
from linkage.tests.test_national_relink import _pairs, _records  # noqa: E402


def main() -> None:
    people = int(os.environ.get("BENCH_RELINK_PEOPLE", "50000"))
    seed = int(os.environ.get("BENCH_RELINK_SEED", "20261202"))
    households = float(os.environ.get("BENCH_RELINK_HOUSEHOLDS", "0.25"))
    records, truth = _records(people, seed, households=households)
    started = time.perf_counter()
    clusters = national_relink(records)
    elapsed = time.perf_counter() - started
    found, true = _pairs(clusters), _pairs(truth)
    precision = len(found & true) / max(len(found), 1)
    recall = len(found & true) / max(len(true), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"records {len(records):,} ({people:,} children), clusters {len(set(clusters.values())):,}")
    print(f"precision {precision:.4f} recall {recall:.4f} F1 {f1:.4f}")
    siblings = [key for key in set(truth.values()) if key.endswith("s")]
    merged = sum(clusters[f"{key}-0"] == clusters[f"{key[:-1]}-0"] for key in siblings)
    print(f"brothers and sisters in one cluster: {merged:,} of {len(siblings):,}")
    print(
        f"relinked in {elapsed:.1f} s: {len(records) / elapsed:,.0f} records/s; peak memory {peak_mb:,.0f} MB"
    )


if __name__ == "__main__":
    main()
