"""One batch ingested by several processes at once (`manage.py ingest --workers N`).

The file is dealt out in blocks of BLOCK rows, block k to worker k mod N; each worker is a forked process
with its own database connection that reads the file and runs `feeds.ingest.batch_rows_ingest` on its
share. Everything that makes one process safe holds for N:

- each row commits alone with its `FeedRow`, so a killed run leaves whole rows and is finished by
  running it again, with any number of workers (finished rows are skipped, whoever did them);
- two rows about one new child, in two workers, do not both create it: each row locks its blocking
  keys first (`linkage.linking.record_keys_lock`) and the second sees the first's child;
- two rows updating one child take turns on its row lock (`feeds.provenance.child_update_from_feed`);
- the batch is completed and audited once, by the parent, only when every worker has finished.

On PostgreSQL the workers run side by side. SQLite takes one writing transaction at a time, so there
extra workers are safe but gain nothing.
"""

import multiprocessing
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path

from django.db import connection, connections

from feeds.ingest import EntitlementCheck, SourceRefused, StandingCheck, batch_rows_ingest
from feeds.models import FeedBatch, FeedSource
from feeds.parsers import FileChanged, FileState, Row, rows_read
from vault.providers import key_provider

BLOCK = 50
# A worker's exit status when the source's standing refused it (`feeds.ingest.SourceRefused`).
REFUSED_EXIT = 3
# ... when the file was not the one fingerprinted (`feeds.parsers.FileChanged`).
FILE_CHANGED_EXIT = 4


def bulk_session() -> None:
    """Tune this process's own database session for a bulk ingest (PostgreSQL; nothing else changes).

    Each row's key lookup is a small query that PostgreSQL would otherwise run with parallel workers:
    starting them costs more CPU than the lookup saves, and the ingest workers already fill the cores.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")


class WorkerFailed(Exception):
    """A worker stopped before its share was done; the batch stays in progress (run it again)."""


def _share(path: Path, expect: FileState | None, worker: int, workers: int) -> Iterator[tuple[int, Row]]:
    for number, row in rows_read(path, expect=expect):
        if (number - 1) // BLOCK % workers == worker:
            yield number, row


def _work(
    batch_pk: int,
    source_pk: int,
    path: Path,
    expect: FileState | None,
    worker: int,
    workers: int,
    entitled: EntitlementCheck,
    today: date,
    counter: "Synchronized[int]",
    standing: StandingCheck | None = None,
) -> None:
    """In a forked worker: its own connection, its share of the rows; each worker judges the source's
    standing itself, so every one of them stops within seconds of a suspension."""
    connections.close_all()  # never the parent's socket: a fresh connection opens on first use

    def tick() -> None:
        with counter.get_lock():
            counter.value += 1

    try:
        bulk_session()
        source = FeedSource.objects.select_related("user__organisation").get(pk=source_pk)
        batch_rows_ingest(
            batch=FeedBatch.objects.get(pk=batch_pk),
            source=source,
            rows=_share(path, expect, worker, workers),
            entitled=entitled,
            today=today,
            progress=tick,
            standing=standing,
        )
    except SourceRefused:
        raise SystemExit(REFUSED_EXIT) from None
    except FileChanged:
        raise SystemExit(FILE_CHANGED_EXIT) from None
    except Exception as failed:
        # The type only: a database error's message may quote a value, and none is ever printed.
        sys.stderr.write(f"ingest worker {worker}: {type(failed).__name__}\n")
        raise SystemExit(1) from None
    finally:
        connections.close_all()


def rows_ingest_parallel(
    *,
    batch: FeedBatch,
    source: FeedSource,
    path: Path,
    workers: int,
    entitled: EntitlementCheck,
    today: date,
    expect: FileState | None = None,
    progress: Callable[[int], object] | None = None,
    standing: StandingCheck | None = None,
) -> None:
    """Ingest the file's unfinished rows with `workers` processes; returns when all have finished.

    `expect`: the state the file had when fingerprinted (`feeds.parsers.rows_read`); FileChanged if a
    worker found it otherwise. `progress(n)` is told how many more rows were seen since it was last
    called. Raises SourceRefused if
    `standing` refused the source in a worker, else WorkerFailed if any worker stopped early (its error
    was printed by that worker; no submitted value is in it).
    """
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    key_provider()  # opened before forking: every worker seals and blind-indexes with the same keys
    connections.close_all()  # forked children must not inherit an open connection
    processes = [
        context.Process(
            target=_work,
            args=(batch.pk, source.pk, path, expect, worker, workers, entitled, today, counter, standing),
            name=f"ingest-worker-{worker}",
        )
        for worker in range(workers)
    ]
    for process in processes:
        process.start()
    seen = 0
    try:
        while any(p.is_alive() for p in processes):
            time.sleep(0.2)
            now = counter.value
            if progress is not None and now > seen:
                progress(now - seen)
            seen = now
    finally:
        for process in processes:
            process.join()
    if progress is not None and counter.value > seen:
        progress(counter.value - seen)
    if any(p.exitcode == FILE_CHANGED_EXIT for p in processes):
        raise FileChanged
    if any(p.exitcode == REFUSED_EXIT for p in processes):
        raise SourceRefused("the source may no longer submit")
    failed = [p.name for p in processes if p.exitcode != 0]
    if failed:
        raise WorkerFailed(f"{', '.join(failed)} stopped early")
