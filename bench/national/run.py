"""`make bench-national`: load BENCH_NATIONAL_CHILDREN synthetic children, then measure the database.

1. Database BENCH_NATIONAL_DATABASE (PostgreSQL, named `cp_*_national`) created if missing and migrated;
   the demo LAs and their schools, GP practices and services ensured.
2. The load (bench/national/load.py): BENCH_NATIONAL_WORKERS processes (default: one per core), chunks
   of BENCH_NATIONAL_CHUNK children, COPY, secondary indexes rebuilt and foreign keys re-checked after.
   Run it again after a crash or Ctrl-C: it resumes from the last committed chunk.
3. Reports children/s, database size per child, table and index sizes, the workers' peak memory and
   family name + date of birth search latency on the loaded database; writes var/bench-national/result.json.
Needs var/vault-keys.json (`make secrets`): children are sealed under its keys.
"""

import dataclasses
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_NATIONAL_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_NATIONAL_DATABASE", "cp_bench_national")
CHILDREN = int(os.environ.get("BENCH_NATIONAL_CHILDREN", "12000000"))
WORKERS = int(os.environ.get("BENCH_NATIONAL_WORKERS", "0")) or os.cpu_count() or 1
CHUNK = int(os.environ.get("BENCH_NATIONAL_CHUNK", "10000"))
SEED = int(os.environ.get("BENCH_NATIONAL_SEED", "7"))
# A fixed reference date: ages, school phases and involvements are the same on every run and resume.
TODAY = date.fromisoformat(os.environ.get("BENCH_NATIONAL_TODAY", "2026-12-01"))
DEFER_INDEXES = os.environ.get("BENCH_NATIONAL_DEFER_INDEXES", "1") == "1"
OUT = ROOT / "var" / "bench-national"


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def database_ready(dsn: str) -> None:
    import psycopg

    if not (DATABASE.startswith("cp_") and DATABASE.endswith("_national")):
        raise SystemExit("BENCH_NATIONAL_DATABASE must be named cp_*_national: the bench fills it")
    if not (ROOT / "var" / "vault-keys.json").exists():
        raise SystemExit("no var/vault-keys.json: run `make secrets` first")
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    env = {**os.environ, "DATABASE_URL": dsn, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


def main() -> int:
    dsn = f"{PG}/{DATABASE}"
    database_ready(dsn)
    os.environ["DATABASE_URL"] = dsn
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    import psycopg

    from accounts.models import Organisation, OrganisationKind
    from bench.national.load import Plan, national_load
    from bench.national.report import search_latency, sizes
    from children.synthetic.directory import directory_ensure, directory_load

    if not Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).exists():
        directory_ensure()
    directory = directory_load()
    plan = Plan(count=CHILDREN, chunk_size=CHUNK, seed=SEED, today=TODAY)
    print(f"bench-national: {CHILDREN:,} children into {DATABASE}, {WORKERS} workers, chunks of {CHUNK:,}")
    try:
        report = national_load(
            dsn=dsn, plan=plan, directory=directory, workers=WORKERS, defer_indexes=DEFER_INDEXES
        )
    except KeyboardInterrupt:
        print("\ninterrupted: every committed chunk is kept; run the same command again to resume")
        return 130
    with psycopg.connect(dsn, autocommit=True) as conn:
        measured = sizes(conn)
    result = {
        "children": CHILDREN,
        "workers": WORKERS,
        "cpus": os.cpu_count(),
        "written_this_run": report.written,
        "load_seconds": round(report.seconds, 1),
        "children_per_second": round(report.per_second),
        "indexes_rebuilt": report.indexes_rebuilt,
        "foreign_keys_checked": report.foreign_keys_checked,
        "index_build_seconds": round(report.index_seconds, 1),
        "worker_peak_rss_mb": round(report.worker_peak_rss_mb),
        "worker_cpu_seconds": round(report.worker_cpu_seconds, 1),
        "database_backend_cpu_seconds": round(report.database_cpu_seconds, 1),
        "cpu_ms_per_child": round(report.cpu_ms_per_child, 3),
        # What the CPU time says the run would take with every core free (an extrapolation).
        "free_machine_children_per_second": round(
            1000 * (os.cpu_count() or 1) / report.cpu_ms_per_child if report.cpu_ms_per_child else 0
        ),
        "parent_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "database_bytes": measured.database,
        "bytes_per_child": round(measured.database / CHILDREN),
        "child_tables_bytes_per_child": round(sum(measured.tables.values()) / CHILDREN),
        "load_average_1_5_15_after": os.getloadavg(),
        "tables": measured.tables,
        "indexes": measured.indexes,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "result.json").write_text(json.dumps(result, indent=2))  # the load's figures, whatever follows
    print(
        f"loaded {report.written:,} children in {report.seconds:,.1f} s: {report.per_second:,.0f} children/s "
        f"({report.already:,} were already there); {report.indexes_rebuilt} indexes rebuilt and "
        f"{report.foreign_keys_checked} foreign keys re-checked in {report.index_seconds:,.1f} s"
    )
    print(
        f"database {_mb(measured.database)}: {measured.database / CHILDREN:,.0f} bytes per child "
        f"({result['child_tables_bytes_per_child']:,} in the five tables a child fills, indexes included)"
    )
    print(f"load average after the load (1, 5, 15 min): {os.getloadavg()} on {os.cpu_count()} CPUs")
    for table, size in measured.tables.items():
        print(f"  table {table}: {_mb(size)} with its indexes")
    for index, size in measured.indexes.items():
        print(f"  index {index}: {_mb(size)}")
    print(
        f"CPU: workers {report.worker_cpu_seconds:,.0f} s + their database backends "
        f"{report.database_cpu_seconds:,.0f} s = {report.cpu_ms_per_child:.3f} ms per child, i.e. "
        f"{result['free_machine_children_per_second']:,} children/s if all {os.cpu_count()} cores were free"
    )
    print(
        f"peak RSS: workers {result['worker_peak_rss_mb']} MB each at most, parent {result['parent_peak_rss_mb']} MB"
    )
    started = time.perf_counter()
    latency = search_latency(plan, directory)
    result["search"] = dataclasses.asdict(latency)
    result["search_seconds"] = round(time.perf_counter() - started, 1)
    (OUT / "result.json").write_text(json.dumps(result, indent=2))
    print(
        f"search (family name + DOB, {latency.queries} queries): p50 {latency.p50_ms:.1f} ms, "
        f"p95 {latency.p95_ms:.1f} ms, p99 {latency.p99_ms:.1f} ms; right child found {latency.found}/{latency.queries}, "
        f"'refine your search' {latency.refined}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
