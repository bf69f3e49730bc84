"""Stream synthetic children into the index: `manage.py generate_children --count N --seed S`.

Built for millions: children are generated lazily and saved in batches (one transaction each), so
memory stays flat; a seed gives the same children every time, and `--skip` resumes an interrupted run.
Progress goes to stderr; no personal value is printed or logged.
"""

import sys
import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from accounts.models import Organisation, OrganisationKind
from children.synthetic.directory import directory_ensure, directory_ensure_services, directory_load
from children.synthetic.guard import demo_data_require
from children.synthetic.loader import DEFAULT_BATCH, children_generate


def _statistics_refresh() -> None:
    """ANALYZE after a bulk load: with the planner's row counts from before it, PostgreSQL hash-joins
    every child into each search's blocking-key lookup (measured: 44 ms instead of 0.5 ms per lookup
    at 50,000 children) until autovacuum happens to catch up."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE children_child, children_blockingkeyentry, vault_datakey, children_carer")


class Command(BaseCommand):
    help = "Generate N synthetic children for a seed, streaming in batches (development and test only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="children to write in this run")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same children")
        parser.add_argument(
            "--la", action="append", dest="la_codes", metavar="CODE", help="LA code (repeatable)"
        )
        parser.add_argument("--skip", type=int, default=0, help="resume: start after this many of the stream")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="reference date (ISO)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        demo_data_require()
        count, skip = options["count"], options["skip"]
        if count < 0 or skip < 0 or options["batch_size"] < 1:
            raise CommandError("--count and --skip must be 0 or more, --batch-size 1 or more")
        la_codes: list[str] | None = options["la_codes"]
        self._ensure_directory(la_codes)
        directory = directory_load(la_codes=la_codes)
        bar = tqdm(
            total=count, unit="child", file=sys.stderr, disable=options["no_progress"], dynamic_ncols=True
        )
        started = time.perf_counter()
        written = 0

        def progress(n: int) -> None:
            nonlocal written
            written += n
            bar.update(n)

        try:
            report = children_generate(
                count=count,
                seed=options["seed"],
                directory=directory,
                today=options["today"] or timezone.localdate(),
                skip=skip,
                batch_size=options["batch_size"],
                progress=progress,
            )
        except KeyboardInterrupt:
            bar.close()
            raise CommandError(
                f"Interrupted after {written} children (whole batches are saved). Resume with "
                f"--seed {options['seed']} --skip {skip + written} --count {count - written}."
            ) from None
        bar.close()
        _statistics_refresh()
        elapsed = max(time.perf_counter() - started, 1e-9)
        self.stdout.write(
            f"Wrote {report.written} children ({report.shielded} shielded) across "
            f"{len(directory.las)} LA(s) in {elapsed:.1f}s: {report.written / elapsed:.0f} children/s. "
            f"Next: --seed {options['seed']} --skip {skip + report.written}"
        )

    def _ensure_directory(self, la_codes: list[str] | None) -> None:
        """Named LAs must exist (and get services); with none named and none existing, make the demo LAs."""
        if not la_codes:
            if not Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).exists():
                directory_ensure()
            return
        las = list(Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, code__in=la_codes))
        missing = set(la_codes) - {la.code for la in las}
        if missing:
            raise CommandError(f"No local authority with code {', '.join(sorted(missing))}")
        for la in las:
            directory_ensure_services(la)
