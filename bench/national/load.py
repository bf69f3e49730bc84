"""The national load: a plan of chunks, worker processes that build and COPY them, a progress bar.

Chunk c holds children c*chunk_size .. (c+1)*chunk_size - 1 of the run (the last may be short) and is
generated from its own seed, so any worker can take any chunk and a re-run regenerates the same
children. Workers are forked from this process: they inherit the directory snapshot and the vault's
key provider, and each opens its own PostgreSQL connection (never the parent's). Chunks already
committed (the progress table) are skipped, so a killed run resumes where it stopped.
"""

import gc
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import psycopg
from tqdm import tqdm

from bench.national import indexes, writer
from bench.national.rows import MODELS, chunk_rows
from children.models import BlockingKeyEntry
from children.synthetic.directory import Directory

DEFAULT_CHUNK = 10_000
TABLES = [model._meta.db_table for model in MODELS] + [BlockingKeyEntry._meta.db_table]


@dataclass(frozen=True)
class Plan:
    count: int
    chunk_size: int
    seed: int
    today: date

    def chunks(self) -> list[tuple[int, int]]:
        """(chunk number, children in it) for the whole run."""
        return [
            (chunk, min(self.chunk_size, self.count - chunk * self.chunk_size))
            for chunk in range((self.count + self.chunk_size - 1) // self.chunk_size)
        ]


@dataclass(frozen=True)
class LoadReport:
    written: int  # children written by this run
    already: int  # children found committed by an earlier run
    seconds: float
    index_seconds: float  # rebuilding the indexes and re-checking the foreign keys set aside
    indexes_rebuilt: int
    worker_peak_rss_mb: float
    worker_cpu_seconds: float  # the worker processes' user + system time
    database_cpu_seconds: float  # their PostgreSQL backends' (COPY), read from /proc; 0 if not local
    foreign_keys_checked: int = 0

    @property
    def cpu_ms_per_child(self) -> float:
        return (
            1000 * (self.worker_cpu_seconds + self.database_cpu_seconds) / self.written
            if self.written
            else 0.0
        )

    @property
    def per_second(self) -> float:
        return self.written / self.seconds if self.seconds else 0.0


@dataclass
class _WorkerState:
    """Set in the parent before forking; each worker process reads its own copy."""

    dsn: str
    plan: Plan
    directory: Directory
    conn: psycopg.Connection | None = None

    def connection(self) -> psycopg.Connection:
        if self.conn is None:
            self.conn = psycopg.connect(self.dsn, autocommit=True)
        return self.conn


_STATE: list[_WorkerState] = []


def backend_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a PostgreSQL backend on this machine has used so far; 0 if unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def chunk_load(chunk: int, size: int) -> tuple[int, int, float]:
    """In a worker: seal the chunk through the app's write path and COPY it in one transaction.

    Returns the children written, and the worker's database backend and its CPU seconds so far (so
    the run can say what a child costs in CPU, whatever else the machine was doing).
    """
    state = _STATE[0]
    # A chunk makes ~1M short-lived, acyclic objects: the cyclic collector would scan them again and again
    # (~10% of the chunk's CPU); reference counting frees them all the same.
    gc.disable()
    try:
        return _chunk_load(state, chunk, size)
    finally:
        gc.enable()


def _chunk_load(state: _WorkerState, chunk: int, size: int) -> tuple[int, int, float]:
    rows = chunk_rows(
        seed=state.plan.seed,
        chunk=chunk,
        size=size,
        first_ordinal=chunk * state.plan.chunk_size,
        directory=state.directory,
        today=state.plan.today,
    )
    conn = state.connection()
    writer.chunk_write(conn, chunk, rows)
    return size, conn.info.backend_pid, backend_cpu_seconds(conn.info.backend_pid)


def _peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def national_load(
    *,
    dsn: str,
    plan: Plan,
    directory: Directory,
    workers: int,
    defer_indexes: bool = True,
    progress: bool = True,
) -> LoadReport:
    """Load the plan's missing chunks with `workers` processes; rebuild deferred indexes at the end.

    The caller must have closed its Django database connections: forked workers must not share them.
    """
    from vault.providers import key_provider

    key_provider()  # opened before forking, so every worker seals with the same provider
    with psycopg.connect(dsn, autocommit=True) as conn:
        writer.run_claim(conn, seed=plan.seed, chunk_size=plan.chunk_size, today=plan.today)
        done = writer.chunks_done(conn)
        if defer_indexes:
            indexes.indexes_defer(conn, TABLES)
    from django.db import connections

    connections.close_all()
    todo = [(chunk, size) for chunk, size in plan.chunks() if chunk not in done]
    already = sum(done.values())
    _STATE[:] = [_WorkerState(dsn=dsn, plan=plan, directory=directory)]
    bar = tqdm(
        total=plan.count, initial=already, unit="child", file=sys.stderr, disable=not progress, smoothing=0.05
    )
    started = time.perf_counter()
    written = 0
    backends: dict[int, float] = {}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"))
    try:
        futures = [pool.submit(chunk_load, chunk, size) for chunk, size in todo]
        for future in as_completed(futures):
            n, backend, cpu = future.result()
            backends[backend] = max(cpu, backends.get(backend, 0.0))
            written += n
            bar.update(n)
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # chunks in flight finish or roll back whole
        raise
    finally:
        bar.close()
    pool.shutdown(wait=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    seconds = time.perf_counter() - started
    with psycopg.connect(dsn, autocommit=True) as conn:
        restored = indexes.indexes_restore(conn)
        for table in TABLES:
            conn.execute(f"ANALYZE {table}")
    return LoadReport(
        written=written,
        already=already,
        seconds=seconds,
        index_seconds=restored.seconds,
        indexes_rebuilt=restored.indexes,
        worker_peak_rss_mb=_peak_rss_mb(resource.RUSAGE_CHILDREN),
        worker_cpu_seconds=worker_cpu,
        database_cpu_seconds=sum(backends.values()),
        foreign_keys_checked=restored.foreign_keys,
    )


def default_workers() -> int:
    return os.cpu_count() or 1
