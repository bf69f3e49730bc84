"""Synthetic data throughput: children/s for `generate_children`, and whether memory stays flat.

Runs on a throwaway SQLite file with the test settings (ephemeral keys), so it never touches
var/db.sqlite3 or the development keys. BENCH_CHILDREN sets the size (default 20,000); the first tenth
is written first, so the peak memory after it can be compared with the peak after the rest.
"""

import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

TOTAL = int(os.environ.get("BENCH_CHILDREN", "20000"))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="cp-bench-generate-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    from children.models import Child

    call_command("migrate", verbosity=0)
    first = max(1, TOTAL // 10)
    started = time.perf_counter()
    call_command("generate_children", count=first, seed=1, no_progress=True, stdout=io.StringIO())
    rss_first = _peak_rss_mb()
    call_command(
        "generate_children",
        count=TOTAL - first,
        seed=1,
        skip=first,
        no_progress=True,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    elapsed = time.perf_counter() - started
    written = Child.objects.count()
    size_mb = (workdir / "bench.sqlite3").stat().st_size / 1e6
    print(f"generate_children on SQLite ({os.cpu_count()} CPUs, Python {sys.version.split()[0]})")
    print(f"  children written   {written}")
    print(f"  elapsed            {elapsed:.1f} s")
    print(f"  throughput         {written / elapsed:.0f} children/s")
    print(f"  peak RSS           {rss_first:.0f} MB after {first}, {_peak_rss_mb():.0f} MB after {written}")
    print(f"  database size      {size_mb:.0f} MB ({size_mb * 1e3 / max(written, 1):.1f} kB per child)")
    for path in workdir.iterdir():
        path.unlink()
    workdir.rmdir()
    return 0 if written == TOTAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
