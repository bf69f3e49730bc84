"""Feed ingest throughput (issue #10): rows linked per second through `manage.py ingest`, and peak memory.

The index and the feed come from one deterministic stream (`children.synthetic.stream`, the one
`make bench-national` loads), so the bench knows who every row really is:

- national mode (BENCH_INGEST_TEMPLATE=cp_m1_ingest_national, say): the template, a database loaded by
  `make bench-national`, is cloned with `createdb -T` into BENCH_INGEST_DATABASE (default
  cp_ingest_run_national), which the run writes to and drops afterwards (BENCH_INGEST_KEEP=1 keeps it).
  The template is never written. Its seed, chunk size and reference date are read from the
  `bench_national_run` table, so the feed re-derives the loaded children from their chunk seeds.
- small mode (the default, what `make bench` runs): a temporary SQLite file with BENCH_INGEST_CHILDREN
  (default 2,000) children of the same stream (seed 7, 2026-12-01), written by the app's `child_build`.

The feed (CSV, BENCH_INGEST_ROWS rows; default 20,000 national, 500 small): about 10% new children
(the stream's next chunk: families nobody loaded; a tenth of them sent twice, the second copy one block
of rows after the first, so parallel workers meet the two at about the same moment), 0.5% invalid
rows, and for the rest the loaded children, 35% of them with one everyday mistake
(`children.synthetic.mistakes.details_mistaken`, or moved, no postcode, no NHS number). New children
get NHS numbers outside the synthetic 999 range: 1M children drawn from ~900k synthetic numbers share
many, which no real NHS number does.

The feed source is registered with `manage.py feed_source create`, the file ingested by a real
`manage.py ingest SOURCE FILE --no-progress [--workers N]` subprocess. Reported: rows/s (wall time of that
process, Django start included), its CPU time, outcomes, whether each linked row found the right child,
duplicate children created, peak RSS (RUSAGE_CHILDREN ru_maxrss: the largest process; and the sampled
sum over the process tree), and load average before and after.

    PYTHONPATH=. .venv/bin/python bench/bench_ingest.py                       # small, SQLite
    PYTHONPATH=. BENCH_INGEST_TEMPLATE=cp_m1_ingest_national BENCH_INGEST_WORKERS=2 \\
        .venv/bin/python bench/bench_ingest.py --rows 20000
"""

import argparse
import csv
import itertools
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
PG = os.environ.get("BENCH_INGEST_PG", "postgres://postgres@127.0.0.1:5432")
SOURCE_CODE = "bench-ingest"
FIELDS = (
    "record_id",
    "local_authority",
    "nhs_number",
    "given_names",
    "family_name",
    "date_of_birth",
    "gender",
    "address_line",
    "town",
    "postcode",
)
OUT = ROOT / "var" / "bench-ingest"
BLOCK = 50  # feeds.workers.BLOCK: rows dealt to one worker at a time


@dataclass(frozen=True)
class Run:
    """What the index was loaded with: the stream's seed, chunk size and date, and the chunks present."""

    seed: int
    chunk_size: int
    today: date
    chunks: dict[int, int]  # chunk number -> children in it


@dataclass(frozen=True)
class Truth:
    kind: str  # known | new | invalid
    ordinal: int = -1  # known: the run's ordinal (its index number); new: position in the new stream
    mistake: str = ""


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    template = os.environ.get("BENCH_INGEST_TEMPLATE", "")
    parser.add_argument("--template", default=template, help="national database to clone (empty: small mode)")
    parser.add_argument(
        "--database", default=os.environ.get("BENCH_INGEST_DATABASE", "cp_ingest_run_national")
    )
    default_rows = 20_000 if template else 500
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_INGEST_ROWS", default_rows)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_INGEST_WORKERS", "1")))
    parser.add_argument("--children", type=int, default=int(os.environ.get("BENCH_INGEST_CHILDREN", "2000")))
    parser.add_argument("--new-share", type=float, default=0.10)
    parser.add_argument("--repeat-share", type=float, default=0.10, help="of new children, sent twice")
    parser.add_argument("--mistake-share", type=float, default=0.35)
    parser.add_argument("--invalid-share", type=float, default=0.005)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_INGEST_SEED", "31")))
    parser.add_argument("--keep", action="store_true", default=os.environ.get("BENCH_INGEST_KEEP") == "1")
    parser.add_argument("--feed", type=Path, help="write the feed file here (default: a temporary file)")
    parser.add_argument("--ingest-args", default="", help="extra arguments for manage.py ingest")
    return parser.parse_args()


def _run(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    return done.stdout


# ---- the database: a clone of the national load, or a small SQLite file -------------------------


def clone(template: str, database: str) -> None:
    if not (database.startswith("cp_") and "ingest" in database):
        raise SystemExit("the run database must be named cp_*ingest*: the bench writes into it and drops it")
    if database == template:
        raise SystemExit("the run database must not be the template")
    _run("dropdb", "--if-exists", f"--maintenance-db={PG}/postgres", database)
    _run("createdb", f"--maintenance-db={PG}/postgres", "-T", template, database)


def drop(database: str) -> None:
    _run("dropdb", "--if-exists", f"--maintenance-db={PG}/postgres", database)


def national_run(dsn: str) -> Run:
    import psycopg

    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT seed, chunk_size, today FROM bench_national_run").fetchone()
        chunks: dict[int, int] = dict(
            conn.execute("SELECT chunk, children FROM bench_national_chunk").fetchall()
        )
    if row is None:
        raise SystemExit("the template was not loaded by make bench-national (no bench_national_run)")
    return Run(seed=row[0], chunk_size=row[1], today=row[2], chunks=chunks)


def small_database(directory: Path, children: int) -> tuple[str, Run]:
    """A migrated SQLite file with the first `children` of chunk 0 of the national stream."""
    url = f"sqlite:///{directory / 'ingest.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    _run(PY, "manage.py", "migrate", "--noinput", "-v0", env=env)
    return url, Run(seed=7, chunk_size=children, today=date(2026, 12, 1), chunks={0: children})


def small_load(run: Run) -> None:
    import itertools

    from accounts.models import Organisation
    from bench.national.rows import chunk_seed, index_number_for
    from children.services import children_save_built
    from children.synthetic.directory import directory_ensure, directory_load
    from children.synthetic.loader import child_spec_build
    from children.synthetic.stream import children_stream

    directory_ensure()
    directory = directory_load()
    las = Organisation.objects.in_bulk([local.la_id for local in directory.las])
    # The national load's chunk 0, built as model instances (SQLite has no COPY): the same children.
    stream = children_stream(seed=chunk_seed(run.seed, 0), directory=directory, today=run.today)
    built = [child_spec_build(spec, las) for spec in itertools.islice(stream, run.chunks[0])]
    for position, child in enumerate(built):
        child.child.index_number = index_number_for(position)
    for start in range(0, len(built), 500):
        children_save_built(built[start : start + 500])


# ---- the feed ---------------------------------------------------------------------------------------


def _nhs_fresh(rng: random.Random, used: set[str]) -> str:
    """A valid NHS number outside the synthetic 999 range the index was loaded from, unique in the feed."""
    import nhs_number

    while True:
        body = f"998{rng.randrange(1_000_000):06d}"
        check = nhs_number.calculate_checksum(body)
        number = f"{body}{check}"
        if check is not None and check < 10 and number not in used:
            used.add(number)
            return f"{number[:3]} {number[3:6]} {number[6:]}"


def _row(record_id: str, la_code: str, details: Any, nhs: str | None) -> dict[str, str]:
    lines = details.address.lines
    return {
        "record_id": record_id,
        "local_authority": la_code,
        "nhs_number": nhs or "",
        "given_names": details.given_names,
        "family_name": details.family_name,
        "date_of_birth": details.date_of_birth.isoformat(),
        "gender": details.gender,
        "address_line": lines[0] if lines else "",
        "town": lines[1] if len(lines) > 1 else "",
        "postcode": details.address.postcode or "",
    }


def _nhs_of(details: Any) -> str | None:
    return next((s.value for s in details.source_identifiers if s.scheme == "nhs_number"), None)


def _mistaken(
    rng: random.Random, row: dict[str, str], details: Any, place: Any
) -> tuple[dict[str, str], str]:
    from children.synthetic.mistakes import details_mistaken
    from children.synthetic.places import postcode

    kind = rng.choice(("details", "details", "details", "details", "moved", "no_postcode", "no_nhs"))
    if kind == "moved" and row["postcode"]:
        return {**row, "postcode": postcode(rng, place)}, "moved"
    if kind == "no_postcode" and row["postcode"]:
        return {**row, "postcode": "", "address_line": "", "town": ""}, "no_postcode"
    if kind == "no_nhs" and row["nhs_number"]:
        return {**row, "nhs_number": ""}, "no_nhs"
    mistaken = details_mistaken(rng, details) or details_mistaken(rng, details, "typo_family")
    if mistaken is None:
        return row, ""
    changed, name = mistaken
    return {**row, "given_names": changed.given_names, "family_name": changed.family_name,
            "date_of_birth": changed.date_of_birth.isoformat()}, name  # fmt: skip


def _invalid(rng: random.Random, row: dict[str, str]) -> dict[str, str]:
    broken = rng.choice(("nhs", "date", "family"))
    if broken == "nhs":
        return {**row, "nhs_number": "999 000 0000"}  # fails its check digit
    if broken == "date":
        return {**row, "date_of_birth": "2016-02-30"}
    return {**row, "family_name": ""}


def feed_build(run: Run, rows: int, args: argparse.Namespace) -> tuple[list[dict[str, str]], list[Truth]]:
    """The feed rows and, for each, who it really is."""
    from accounts.models import Organisation
    from bench.national.rows import chunk_seed
    from children.synthetic.directory import directory_load
    from children.synthetic.stream import children_stream

    rng = random.Random(args.seed)
    directory = directory_load()
    codes = dict(
        Organisation.objects.filter(pk__in=[d.la_id for d in directory.las]).values_list("pk", "code")
    )
    places = {d.la_id: d.place for d in directory.las}
    invalid = round(rows * args.invalid_share)
    new_rows = round(rows * args.new_share)
    new_children = round(new_rows / (1 + args.repeat_share))
    known = rows - invalid - new_rows
    out: list[tuple[dict[str, str], Truth]] = []

    # Known children: the first few of every loaded chunk (each chunk is its own random stream).
    chunks = sorted(run.chunks)
    per_chunk = -(-known // len(chunks))
    for chunk in chunks:
        take = min(per_chunk, run.chunks[chunk], known - len(out))
        stream = children_stream(seed=chunk_seed(run.seed, chunk), directory=directory, today=run.today)
        for position, spec in enumerate(itertools.islice(stream, take)):
            ordinal = chunk * run.chunk_size + position
            d = spec.details
            row = _row(f"K{ordinal}", codes[spec.local_authority_id], d, _nhs_of(d))
            mistake = ""
            if rng.random() < args.mistake_share:
                row, mistake = _mistaken(rng, row, d, places[spec.local_authority_id])
            out.append((row, Truth("known", ordinal, mistake)))

    # New children: the next chunk of the stream, which nobody loaded.
    fresh = max(chunks) + 1
    stream = children_stream(seed=chunk_seed(run.seed, fresh), directory=directory, today=run.today)
    used: set[str] = set()
    new: list[tuple[dict[str, str], Truth]] = []
    details: dict[int, tuple[Any, int]] = {}
    for position, spec in enumerate(itertools.islice(stream, new_children)):
        d = spec.details
        nhs = _nhs_fresh(rng, used) if _nhs_of(d) else None
        row = _row(f"N{position}", codes[spec.local_authority_id], d, nhs)
        new.append((row, Truth("new", position)))
        details[position] = (d, spec.local_authority_id)
    repeats = []
    for row, truth in new[: new_rows - new_children]:
        again = {**row, "record_id": row["record_id"] + "b"}
        mistake = ""
        if rng.random() < args.mistake_share:
            d, la_id = details[truth.ordinal]
            again, mistake = _mistaken(rng, again, d, places[la_id])
        repeats.append((again, Truth("new", truth.ordinal, mistake)))
    for n in range(invalid):
        row, _ = out[rng.randrange(len(out))]
        out.append((_invalid(rng, {**row, "record_id": f"X{n}"}), Truth("invalid")))
    out += new
    rng.shuffle(out)
    # Each repeat goes one block of rows after its first copy: the next worker's share, reached by that
    # worker at about the moment this one reaches the first copy (the race parallel ingest must win).
    for again, truth in repeats:
        first = next(i for i, (_, t) in enumerate(out) if t.kind == "new" and t.ordinal == truth.ordinal)
        out.insert(min(first + BLOCK, len(out)), (again, truth))
    return [r for r, _ in out], [t for _, t in out]


def feed_write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        writer.writeheader()
        writer.writerows(rows)


# ---- the run ------------------------------------------------------------------------------------


def source_register(env: dict[str, str]) -> None:
    from accounts.models import Organisation, OrganisationKind

    issuer = Organisation.objects.filter(kind=OrganisationKind.HEALTH).order_by("code").first()
    if issuer is None:
        raise SystemExit("no health organisation to issue the feed")
    las = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).values_list("code", flat=True)
    _run(PY, "manage.py", "feed_source", "create", SOURCE_CODE, "--organisation", issuer.code,
         "--las", ",".join(las), "--trust", "10", env=env)  # fmt: skip


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class TreeMemory(threading.Thread):
    """Samples the summed RSS of a process and its descendants (parallel workers add up), and the CPU
    time of the PostgreSQL backends serving database `database` (local server only; 0 otherwise)."""

    def __init__(self, pid: int, database: str | None) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.database = database
        self.peak_total_kb = 0
        self.backend_cpu: dict[int, float] = {}
        self.stop = threading.Event()

    def _backends(self) -> None:
        import psycopg

        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            pids = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,)
            ).fetchall()
        for (pid,) in pids:
            try:
                self.backend_cpu[pid] = _cpu_seconds(pid)
            except (OSError, IndexError):
                continue

    def _tree(self) -> list[int]:
        parents: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                parents.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += parents.get(pid, [])
        return found

    def run(self) -> None:
        while not self.stop.wait(0.5):
            total = 0
            for pid in self._tree():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                total += next(
                    (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
                )
            self.peak_total_kb = max(self.peak_total_kb, total)
            if self.database:
                self._backends()


def ingest(
    env: dict[str, str], feed: Path, workers: int, extra: str, database: str | None
) -> tuple[float, float, str, TreeMemory]:
    """Run the CLI; (wall seconds, CPU seconds of it and its children, stdout, memory and backend CPU)."""
    profile = os.environ.get("BENCH_INGEST_PROFILE")  # a path: the CLI runs under cProfile, stats there
    command = [PY, *(["-m", "cProfile", "-o", profile] if profile else []), "manage.py", "ingest"]
    command += [SOURCE_CODE, str(feed), "--no-progress", *extra.split()]
    if workers > 1:
        command += ["--workers", str(workers)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own manage.py
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = TreeMemory(process.pid, database)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    sampler.stop.set()
    if process.returncode != 0:
        raise SystemExit(f"ingest failed ({process.returncode}): {err[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    sampler.join()
    return seconds, cpu, out, sampler


def outcomes_check(feed: Path, truths: list[Truth], run: Run) -> dict[str, Any]:
    """Each row's outcome against who it really is (read back from the database: ids only)."""
    from bench.national.rows import index_number_for
    from feeds.models import FeedRow
    from feeds.parsers import file_fingerprint

    rows = FeedRow.objects.filter(batch__batch_id=file_fingerprint(feed), batch__source__code=SOURCE_CODE)
    got = {
        n: (o, i, c)
        for n, o, i, c in rows.values_list("row_number", "outcome", "child__index_number", "child_id")
    }
    by_kind: dict[str, Counter[str]] = {"known": Counter(), "new": Counter(), "invalid": Counter()}
    right = wrong = 0
    created_for: dict[int, set[object]] = {}
    linked_new: list[tuple[int, object]] = []
    for number, truth in enumerate(truths, start=1):
        outcome, index_number, child_id = got.get(number, ("missing", None, None))
        by_kind[truth.kind][outcome] += 1
        if truth.kind == "known" and outcome in ("updated", "linked"):
            right += index_number == index_number_for(truth.ordinal)
            wrong += index_number != index_number_for(truth.ordinal)
        if truth.kind == "new" and outcome == "created":
            created_for.setdefault(truth.ordinal, set()).add(child_id)
        if truth.kind == "new" and outcome in ("updated", "linked"):
            linked_new.append((truth.ordinal, child_id))
    new_right = sum(child_id in created_for.get(ordinal, set()) for ordinal, child_id in linked_new)
    return {
        "outcomes_by_kind": {kind: dict(counts) for kind, counts in by_kind.items()},
        "known_linked_right_child": right,
        "known_linked_wrong_child": wrong,
        "new_linked_to_their_own_first_copy": new_right,
        "new_linked_elsewhere": len(linked_new) - new_right,
        "new_children_created_twice": sum(len(ids) > 1 for ids in created_for.values()),
    }


def main() -> int:
    args = _args()
    national = bool(args.template)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if national:
            clone(args.template, args.database)
            url = f"{PG}/{args.database}"
            run = national_run(url)
            # The template was loaded at its day's schema: the code measured runs on its own (new
            # indexes included). Only the clone is migrated; the template is never written.
            _run(PY, "manage.py", "migrate", "--noinput", "-v0",
                 env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.local"})  # fmt: skip
        else:
            url, run = small_database(Path(tmp), args.children)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.local",
               "PYTHONPATH": str(ROOT)}  # fmt: skip
        os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings.local")
        import django

        django.setup()
        from django.db import connections

        from children.models import Child

        try:
            if not national:
                small_load(run)
            indexed = Child.objects.count()
            source_register(env)
            started = time.perf_counter()
            rows, truths = feed_build(run, args.rows, args)
            feed = args.feed or Path(tmp) / "feed.csv"
            feed_write(feed, rows)
            built = time.perf_counter() - started
            connections.close_all()
            load_before = os.getloadavg()
            seconds, cpu, printed, sampler = ingest(
                env, feed, args.workers, args.ingest_args, args.database if national else None
            )
            load_after = os.getloadavg()
            checked = outcomes_check(feed, truths, run)
            created = Child.objects.count() - indexed
        finally:
            connections.close_all()
            if national and not args.keep:
                drop(args.database)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "mode": "national" if national else "small (SQLite)",
        "database": args.template or "sqlite",
        "children_in_index": indexed,
        "rows": len(rows),
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "feed_build_seconds": round(built, 1),
        "ingest_seconds": round(seconds, 1),
        "rows_per_second": round(len(rows) / seconds, 1),
        "ingest_cpu_seconds": round(cpu, 1),
        "ingest_cpu_ms_per_row": round(1000 * cpu / len(rows), 2),
        "cli_summary": printed.strip().splitlines()[0] if printed.strip() else "",
        "children_created": created,
        **checked,
        "peak_rss_mb_largest_process": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "peak_rss_mb_process_tree": round(sampler.peak_total_kb / 1024),
        "database_backend_cpu_seconds": round(sum(sampler.backend_cpu.values()), 1),
        "database_backend_cpu_ms_per_row": round(1000 * sum(sampler.backend_cpu.values()) / len(rows), 2),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }
    name = f"result-{'national' if national else 'small'}-w{args.workers}.json"
    (OUT / name).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
