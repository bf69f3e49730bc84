"""What the loaded database costs and how fast it answers: sizes, index sizes, search latency.

Search latency is `children.search.child_search_matches` (blocking-key lookup, decrypt, score) for
children of the run, regenerated from their chunk seeds, so each query has a known right answer. The
audit write and misuse screen of a practitioner's search are the load benchmark's to measure.
"""

import itertools
import random
import statistics
import time
from dataclasses import dataclass, field

import psycopg

from bench.national.load import TABLES, Plan
from bench.national.rows import chunk_seed, index_number_for
from children.synthetic.directory import Directory
from children.synthetic.families import ChildSpec
from children.synthetic.stream import children_stream


@dataclass
class Sizes:
    database: int
    tables: dict[str, int] = field(default_factory=dict)  # heap + TOAST + indexes
    indexes: dict[str, int] = field(default_factory=dict)


def sizes(conn: psycopg.Connection) -> Sizes:
    (database,) = conn.execute("SELECT pg_database_size(current_database())").fetchone() or (0,)
    out = Sizes(database=database)
    for table in TABLES:
        (total,) = conn.execute("SELECT pg_total_relation_size(%s)", (table,)).fetchone() or (0,)
        out.tables[table] = total
    rows = conn.execute(
        "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes"
        " WHERE relname = ANY(%s) ORDER BY pg_relation_size(indexrelid) DESC",
        (TABLES,),
    ).fetchall()
    out.indexes = {name: size for name, size in rows}
    return out


def spec_of(plan: Plan, directory: Directory, ordinal: int) -> ChildSpec:
    chunk, position = divmod(ordinal, plan.chunk_size)
    stream = children_stream(seed=chunk_seed(plan.seed, chunk), directory=directory, today=plan.today)
    return next(itertools.islice(stream, position, None))


@dataclass
class Latency:
    queries: int
    found: int
    refined: int  # answered "refine your search" (over the candidate cap, or too close to call): not found
    p50_ms: float
    p95_ms: float
    p99_ms: float


def search_latency(plan: Plan, directory: Directory, *, samples: int = 300, seed: int = 11) -> Latency:
    """Family name + date of birth searches for `samples` random children of the run (after a warm-up).

    A search the engine cannot answer with a list (its block over the candidate cap, or its best
    candidates too close to call) answers "refine your search" in the service: it is timed and counted
    as refined (the right child not found), never allowed to end the run, because at national density a
    common family name with a common date of birth does exactly that.
    """
    from children.models import Child
    from children.search import AsksToRefine, SearchCriteria, child_search_matches

    rng = random.Random(seed)
    ordinals = [rng.randrange(plan.count) for _ in range(samples + 20)]
    timings, found, refined = [], 0, 0
    for n, ordinal in enumerate(ordinals):
        details = spec_of(plan, directory, ordinal).details
        criteria = SearchCriteria(details.family_name, date_of_birth=details.date_of_birth)
        started = time.perf_counter()
        try:
            matches = child_search_matches(criteria)
        except AsksToRefine:
            matches = None
        elapsed = time.perf_counter() - started
        if n < 20:
            continue  # warm-up: connections, caches
        timings.append(elapsed * 1000)
        if matches is None:
            refined += 1
            continue
        wanted = Child.objects.filter(index_number=index_number_for(ordinal)).values_list("pk", flat=True)
        found += bool(set(wanted) & {m.child.pk for m in matches})
    cuts = statistics.quantiles(timings, n=100)
    return Latency(len(timings), found, refined, statistics.median(timings), cuts[94], cuts[98])
