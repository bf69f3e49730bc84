"""Lifecycle benchmark: the daily `lifecycle_run` over N active children, then a purge day.

Throwaway SQLite database and ephemeral keys, as the other benchmarks. The daily run decrypts two
columns (date of birth, date of death) of every active child, so its cost grows with the index, not
with the day's work: this measures that scan, the archive writes, and the purge (shred + delete).
Set LIFECYCLE_BENCH_CHILDREN to change N (default 10,000); 1 in 50 turns 18 on the run day.
"""

import os
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

WORKDIR = Path(tempfile.mkdtemp(prefix="cp-bench-lifecycle-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Organisation, OrganisationKind  # noqa: E402
from children.records import ChildDetails  # noqa: E402
from children.services import child_build, children_save_built  # noqa: E402
from lifecycle.services import lifecycle_run  # noqa: E402

CHILDREN = int(os.environ.get("LIFECYCLE_BENCH_CHILDREN", "10000"))
RUN_DAY = datetime(2033, 3, 4, 2, 15, tzinfo=UTC)
PURGE_DAY = datetime(2039, 3, 4, 2, 15, tzinfo=UTC)


def _load(la: Organisation) -> None:
    rng = random.Random(2182)
    batch = []
    for i in range(CHILDREN):
        if i % 50 == 0:
            born = date(2015, 3, 4)  # 18 on the run day
        else:
            # too young to turn 18 by the purge day either, so each day measures one kind of work
            born = date(2022 + rng.randrange(11), 1 + rng.randrange(12), 1 + rng.randrange(28))
        details = ChildDetails(f"Given{i}", f"Family{i}", "female", born)
        batch.append(child_build(local_authority=la, details=details))
        if len(batch) == 500:
            children_save_built(batch)
            batch = []
    children_save_built(batch)


def _timed(label: str, **kwargs: object) -> None:
    start = time.perf_counter()
    report = lifecycle_run(**kwargs)  # type: ignore[arg-type]
    took = time.perf_counter() - start
    print(
        f"{label:<22} {took:6.2f} s  examined {report.examined:>6,} ({report.examined / took:,.0f}/s)"
        f"  archived {report.archived}  purged {report.purged}"
    )


def main() -> None:
    try:
        with time_machine.travel(RUN_DAY, tick=True) as clock:
            call_command("migrate", verbosity=0)
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode=WAL")  # as bench_audit: a file-backed SQLite's setting
            la = Organisation.objects.create(kind=OrganisationKind.LOCAL_AUTHORITY, name="Bench LA", code="B")
            start = time.perf_counter()
            _load(la)
            print(f"loaded {CHILDREN:,} children in {time.perf_counter() - start:.1f} s")
            _timed("dry run, run day", dry_run=True)
            _timed("real run, run day")
            _timed("second run, same day")
            clock.move_to(PURGE_DAY)
            _timed("real run, purge day")
        print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    main()
