"""Practitioner search timed on a database `make bench-national` loaded (`bench/bench_search.py`).

Nothing is generated into the database: the children searched for are re-derived from the run's own
stream (seed, chunk size and date read from `bench_national_run`), so every query aims at a child that
is there, with a known index number. Each is typed for one minimum-criteria set with the mistakes of
`children.synthetic.search_errors` at the rates `bench_search_quality.py` uses (`typed_query`).

Timed: `children.search.child_search`, the function the search view calls, whole: blind keys, the
key + candidate statement, decryption, scoring, ranking, the audit event with its search appearances
and the misuse screen. Searches are made by many bench practitioners (so no one passes the misuse
volume rules, as real ones would not) in a shuffled order, so the machine's load falls on every set
alike. Counted per search, outside the timing: statements sent, child rows fetched, children whose
data key was opened and columns decrypted.
"""

from __future__ import annotations

import cProfile
import itertools
import pstats
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bench.national.load import Plan
from bench.national.rows import chunk_seed, index_number_for
from bench.national.writer import PROGRESS_TABLE, RUN_TABLE
from children.synthetic.directory import Directory
from children.synthetic.search_errors import Person
from children.synthetic.stream import children_stream

BENCH_USERS = 100


def loaded_plan() -> Plan:
    """The run the database holds: its seed, chunk size and date, and how many children committed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seed, chunk_size, today FROM {RUN_TABLE}")  # noqa: S608
        row = cursor.fetchone()
        if row is None:
            raise SystemExit("no bench_national_run row: not a database make bench-national loaded")
        done = f"SELECT count(*), coalesce(sum(children), 0), coalesce(max(chunk), -1) FROM {PROGRESS_TABLE}"  # noqa: S608
        cursor.execute(done)
        chunks, children, last = cursor.fetchone()
    seed, chunk_size, today = row
    if chunks != last + 1:
        raise SystemExit("the load is incomplete (missing chunks): finish it with make bench-national first")
    return Plan(count=int(children), chunk_size=int(chunk_size), seed=int(seed), today=today)


def people_of(plan: Plan, directory: Directory, ordinals: set[int]) -> dict[int, Person]:
    """The run's children at `ordinals`, regenerated chunk by chunk (each chunk's stream only as far as needed)."""
    by_chunk: dict[int, list[int]] = defaultdict(list)
    for ordinal in ordinals:
        by_chunk[ordinal // plan.chunk_size].append(ordinal % plan.chunk_size)
    out: dict[int, Person] = {}
    for chunk, positions in sorted(by_chunk.items()):
        wanted = set(positions)
        stream = children_stream(seed=chunk_seed(plan.seed, chunk), directory=directory, today=plan.today)
        for position, spec in enumerate(itertools.islice(stream, max(wanted) + 1)):
            if position in wanted:
                d = spec.details
                postcode = d.address.postcode or ""
                out[chunk * plan.chunk_size + position] = Person(
                    d.given_names, d.family_name, d.gender, d.date_of_birth, postcode
                )
    return out


@dataclass(frozen=True)
class Query:
    criteria_set: str
    error: str
    criteria: Any  # children.search.SearchCriteria
    index_number: str


def _criteria(typed: Person, criteria_set: str) -> Any:
    from bench.bench_search_quality import _fields
    from children.search import SearchCriteria

    fields = _fields(criteria_set)
    return SearchCriteria(
        family_name=typed.family,
        given_name=typed.given if "given" in fields else "",
        date_of_birth=typed.dob if "dob" in fields else None,
        gender=typed.gender if "gender" in fields else "",
        postcode=typed.postcode if "postcode" in fields else "",
    )


def queries_for(rng: random.Random, plan: Plan, directory: Directory, *, per_set: int) -> list[Query]:
    """`per_set` searches per minimum-criteria set for random children of the run, typed with mistakes.

    A child with no known address is not searched for by postcode; a mistake that leaves the search
    below the minimum (a 29 February year-off, say) is replaced by the next child.
    """
    from bench.bench_search_quality import CRITERIA_SETS, _fields, typed_query

    # Twice as many children as needed: some have no postcode or give an invalid search.
    drawn = {name: rng.sample(range(plan.count), 2 * per_set) for name in CRITERIA_SETS}
    people = people_of(plan, directory, {o for ordinals in drawn.values() for o in ordinals})
    out: list[Query] = []
    for name, ordinals in drawn.items():
        made = 0
        for ordinal in ordinals:
            if made == per_set:
                break
            who = people[ordinal]
            if "postcode" in _fields(name) and " " not in who.postcode:
                continue
            error, typed = typed_query(rng, who, name)
            criteria = _criteria(typed, name)
            if not criteria.meets_minimum():
                continue
            out.append(Query(name, error, criteria, index_number_for(ordinal)))
            made += 1
    return out


def bench_users(run_tag: str, directory: Directory) -> list[Any]:
    """BENCH_USERS practitioners across the loaded LAs, new for each run (misuse counts start at zero)."""
    from accounts.home_postcode import home_postcode_token
    from accounts.models import Organisation, Role, User

    las = Organisation.objects.in_bulk([local.la_id for local in directory.las])
    ids = sorted(las)
    return [
        User.objects.create(
            username=f"bench-search-{run_tag}-{n}",
            organisation=las[ids[n % len(ids)]],
            role=Role.PRACTITIONER,
            # a home postcode no synthetic child has: the own-address rule runs on every search
            home_postcode_token=home_postcode_token(f"ZZ{n % 90 + 10} {n % 10}ZZ") or "",
        )
        for n in range(BENCH_USERS)
    ]


@dataclass
class Measured:
    query: Query
    ms: float
    matching_ms: float
    cpu_ms: (
        float  # on a CPU: this process's thread plus its PostgreSQL backend (parallel workers not counted)
    )
    queued_ms: float  # both ready to run but waiting for a CPU: what a loaded machine adds
    statements: int
    fetched: int  # candidate rows read (sealed columns included)
    opened: int  # children whose data key was unwrapped (decrypted)
    columns: int  # sealed columns decrypted
    found: bool
    refine: bool
    results: int
    shown: tuple[str, ...] = ()  # ids of the children shown, in order: to compare answers between runs
    near_miss: bool = False  # nobody shown, "No close match" rather than "No children found"


@dataclass
class _Counts:
    statements: int = 0
    fetched: int = 0
    opened: int = 0
    columns: int = 0
    matching: float = 0.0
    on: bool = False

    def reset(self) -> None:
        self.statements = self.fetched = self.opened = self.columns = 0
        self.matching = 0.0


@contextmanager
def _counting() -> Iterator[_Counts]:
    """Count what a search does through stable hooks: statements, candidate rows read, keys opened, columns."""
    from django.db import connection

    from children import search
    from children.candidates import CandidateRow
    from vault.sealing import Sealer

    counts = _Counts()
    row_init = CandidateRow.__init__
    sealer_init, unseal = Sealer.__init__, Sealer.unseal_value
    matches = search.child_search_found

    def counted_row(self: CandidateRow, *args: Any, **kwargs: Any) -> None:
        counts.fetched += 1
        row_init(self, *args, **kwargs)

    def counted_init(self: Sealer, *args: Any, **kwargs: Any) -> None:
        counts.opened += 1
        sealer_init(self, *args, **kwargs)

    def counted_unseal(self: Sealer, *args: Any, **kwargs: Any) -> Any:
        counts.columns += 1
        return unseal(self, *args, **kwargs)

    def timed_matches(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return matches(*args, **kwargs)
        finally:
            counts.matching += time.perf_counter() - started

    def statement(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        counts.statements += 1
        return execute(sql, params, many, context)

    CandidateRow.__init__ = counted_row  # type: ignore[method-assign]
    Sealer.__init__ = counted_init  # type: ignore[method-assign]
    Sealer.unseal_value = counted_unseal  # type: ignore[method-assign]
    search.child_search_found = timed_matches
    try:
        with connection.execute_wrapper(statement):
            yield counts
    finally:
        CandidateRow.__init__ = row_init  # type: ignore[method-assign]
        Sealer.__init__ = sealer_init  # type: ignore[method-assign]
        Sealer.unseal_value = unseal  # type: ignore[method-assign]
        search.child_search_found = matches


def _schedstat(path: str) -> tuple[int, int]:
    """Nanoseconds a task has spent on a CPU and waiting on a run queue (Linux schedstat); 0s if unreadable."""
    try:
        on_cpu, queued, _ = Path(path).read_text().split()
    except (OSError, ValueError):
        return 0, 0
    return int(on_cpu), int(queued)


def measure(queries: list[Query], users: list[Any]) -> list[Measured]:
    """Each query once through `child_search`, in the given order, by the users in turn."""
    from django.db import connection

    from children.models import Child
    from children.search import child_search

    wanted = {q.index_number for q in queries}
    pks = dict(Child.objects.filter(index_number__in=wanted).values_list("index_number", "pk"))
    connection.ensure_connection()
    tasks = (
        f"/proc/self/task/{threading.get_native_id()}/schedstat",
        f"/proc/{connection.connection.info.backend_pid}/schedstat",  # a local server only
    )
    out = []
    with _counting() as counts:
        for n, query in enumerate(queries):
            counts.reset()
            before = [_schedstat(task) for task in tasks]
            started = time.perf_counter()
            outcome = child_search(criteria=query.criteria, fetched_by=users[n % len(users)])
            ms = (time.perf_counter() - started) * 1000
            after = [_schedstat(task) for task in tasks]
            shown = {r.child.pk for r in outcome.results}
            out.append(
                Measured(
                    query=query,
                    ms=ms,
                    matching_ms=counts.matching * 1000,
                    cpu_ms=sum(a[0] - b[0] for a, b in zip(after, before, strict=True)) / 1e6,
                    queued_ms=sum(a[1] - b[1] for a, b in zip(after, before, strict=True)) / 1e6,
                    statements=counts.statements,
                    fetched=counts.fetched,
                    opened=counts.opened,
                    columns=counts.columns,
                    found=pks.get(query.index_number) in shown,
                    refine=outcome.too_many or outcome.nearby_dates_unchecked,
                    results=len(outcome.results),
                    shown=tuple(str(r.child.pk) for r in outcome.results),
                    near_miss=outcome.near_miss,
                )
            )
    return out


def answers(measured: list[Measured]) -> str:
    """One line per search (set, target, refine, the children shown in order), sorted: two runs over the
    same queries gave the same answers if and only if these are identical."""
    lines = sorted(
        f"{m.query.criteria_set}\t{m.query.index_number}\t{m.query.error}\t{int(m.refine)}\t{','.join(m.shown)}"
        for m in measured
    )
    return "\n".join(lines) + "\n"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0.0


@dataclass
class SetReport:
    name: str
    rows: list[Measured] = field(default_factory=list)

    def line(self) -> str:
        ms = [m.ms for m in self.rows]
        matching = [m.matching_ms for m in self.rows]
        fetched = [float(m.fetched) for m in self.rows]
        opened = [float(m.opened) for m in self.rows]
        columns = [m.columns / m.opened for m in self.rows if m.opened]
        cpu = [m.cpu_ms for m in self.rows]
        unqueued = [m.ms - m.queued_ms for m in self.rows]
        n = len(self.rows)
        return (
            f"{self.name:<28}{n:>5}{pct(ms, 50):>8.1f}{pct(ms, 95):>8.1f}{pct(ms, 99):>8.1f}{max(ms):>8.1f}"
            f"{pct(matching, 50):>8.1f}{pct(matching, 95):>8.1f}"
            f"{pct(cpu, 50):>8.1f}{pct(cpu, 95):>8.1f}{pct(unqueued, 50):>8.1f}{pct(unqueued, 95):>8.1f}"
            f"{pct(fetched, 50):>7.0f}{pct(fetched, 95):>7.0f}{max(fetched):>7.0f}"
            f"{pct(opened, 50):>7.0f}{pct(opened, 95):>7.0f}{max(opened):>7.0f}"
            f"{(sum(columns) / len(columns) if columns else 0):>7.1f}"
            f"{pct([float(m.statements) for m in self.rows], 50):>6.0f}"
            f"{sum(m.found for m in self.rows) / n:>8.1%}{sum(m.refine for m in self.rows) / n:>8.1%}"
            f"{sum(m.near_miss for m in self.rows) / n:>7.1%}"
        )


HEADER = (
    f"{'criteria set':<28}{'n':>5}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'m p50':>8}{'m p95':>8}"
    f"{'cpu p50':>8}{'cpu p95':>8}{'-q p50':>8}{'-q p95':>8}"
    f"{'f p50':>7}{'f p95':>7}{'f max':>7}{'d p50':>7}{'d p95':>7}{'d max':>7}{'cols':>7}{'stmts':>6}"
    f"{'found':>8}{'refine':>8}{'near':>7}"
)


def report(measured: list[Measured]) -> dict[str, SetReport]:
    by_set: dict[str, SetReport] = {}
    for m in measured:
        by_set.setdefault(m.query.criteria_set, SetReport(m.query.criteria_set)).rows.append(m)
    every = SetReport("all searches", list(measured))
    print(HEADER)
    for set_report in by_set.values():
        print(set_report.line())
    print(every.line())
    print(
        "ms: child_search whole (p50/p95/p99/max), m = child_search_found only (keys, candidate "
        "statement, decrypt, score); cpu = on a CPU, this thread + its PostgreSQL backend; -q = wall time "
        "less the time both waited for a CPU (run queue); f = candidate rows read, d = children decrypted "
        "(data key opened), cols = sealed columns decrypted per decrypted child, stmts = SQL statements (p50)"
    )
    return by_set


def explain(query: Query) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the search's key + candidate statement (the typed and nearby-date tiers)."""
    from children.search import CANDIDATE_LIMIT, TIER_ROWS_PER_CANDIDATE, tier_rows
    from children.services import BLOCKING_PURPOSE
    from matching.blocking import query_key_tiers
    from matching.engine import name_only
    from vault.blind_index import blind_index

    keys = query_key_tiers(query.criteria.identity())
    digests = [blind_index(BLOCKING_PURPOSE, key) for key in sorted(keys.exact | keys.widened)]
    from django.db import connection, transaction

    bound = TIER_ROWS_PER_CANDIDATE * CANDIDATE_LIMIT
    identity = query.criteria.identity()
    if name_only(identity):
        # A name-only search reads its key rows first (children.search.visible_key_rows).
        from children.models import RecordStatus
        from children.search import _key_rows_sql

        with connection.cursor() as cursor:
            cursor.execute(
                f"EXPLAIN (ANALYZE, BUFFERS) {_key_rows_sql(len(digests), bound + 1)}",
                [RecordStatus.ACTIVE.value, *digests, RecordStatus.ACTIVE.value],
            )
            lines = "\n".join(row[0] for row in cursor.fetchall())
        return f"{len(digests)} digests, key rows only\n{lines}"
    rows = tier_rows(digests)[: bound + 1]
    plan: str = rows.explain(analyze=True, buffers=True)
    with transaction.atomic(), connection.cursor() as cursor:
        # For comparison: the same statement with no parallel workers (a setting, not a code change).
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        serial: str = rows.explain(analyze=True, buffers=True)
    return f"{len(digests)} digests\n{plan}\n-- without parallel workers:\n{serial}"


def profile(queries: list[Query], *, top: int = 25) -> str:
    """cProfile of `child_search_matches` (keys, statement, decrypt, score) over `queries`; no audit."""
    import io

    from children.search import AsksToRefine, child_search_matches

    profiler = cProfile.Profile()
    for query in queries:
        profiler.enable()
        try:
            child_search_matches(query.criteria)
        except AsksToRefine:
            pass
        finally:
            profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def today_tag() -> str:
    return f"{date.today():%m%d}-{int(time.time()) % 100000}"
