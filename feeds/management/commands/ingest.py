"""`manage.py ingest SOURCE FILE`: ingest a CSV or JSON Lines file for a feed source, with a progress bar.

The batch id defaults to the file's SHA-256, so running the same file again changes nothing, and a run
killed part-way is finished by running it again (rows already done are skipped, none is done twice).
Rejected rows are listed by number and reason; no submitted value is ever printed. `--workers N` links
rows in N processes side by side (`feeds.workers`): the same rows, the same outcome, resumable likewise.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from access.permissions import Permission
from access.policy import Decision, decide, feed_row_decide
from accounts.models import Organisation
from feeds.ingest import BatchConflict, batch_complete, batch_open, batch_rows_ingest
from feeds.models import FeedSource
from feeds.parsers import FeedFileInvalid, feed_format, file_fingerprint, rows_count, rows_read
from feeds.workers import WorkerFailed, bulk_session, rows_ingest_parallel


def _entitled(source: FeedSource, fields: set[str], la: Organisation | None) -> Decision:
    return feed_row_decide(source=source, fields=fields, local_authority_id=la.pk if la else None)


class Command(BaseCommand):
    help = "Ingest a feed file (.csv with a header, or .jsonl) for a feed source. Idempotent and resumable."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="the feed source's code")
        parser.add_argument("file", type=Path)
        parser.add_argument("--batch-id", help="defaults to the SHA-256 of the file")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (e.g. under cron)")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes linking rows side by side (PostgreSQL; default 1); resumable with any number",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        source = (
            FeedSource.objects.select_related("user__organisation").filter(code=options["source"]).first()
        )
        if source is None:
            raise CommandError("no feed source with that code")
        decision = decide(actor=source.user, action=Permission.FeedSubmit)
        if not decision:
            raise CommandError(decision.message)
        if not path.is_file():
            raise CommandError("no such file")
        try:
            feed_format(path)
        except ValueError as wrong:
            raise CommandError(str(wrong)) from None
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        fingerprint = file_fingerprint(path)
        try:
            total = rows_count(path)
        except FeedFileInvalid as invalid:
            raise CommandError(f"{invalid}: nothing was ingested") from None
        try:
            batch, replayed = batch_open(
                source=source, batch_id=options["batch_id"] or fingerprint, fingerprint=fingerprint
            )
        except BatchConflict as conflict:
            raise CommandError(str(conflict)) from None
        today = timezone.localdate()
        if replayed is None:
            with tqdm(total=total, unit="row", disable=options["no_progress"], file=self.stderr) as bar:
                if options["workers"] == 1:
                    bulk_session()
                    batch_rows_ingest(
                        batch=batch,
                        source=source,
                        rows=rows_read(path),
                        entitled=_entitled,
                        today=today,
                        progress=lambda: bar.update(1),
                    )
                else:
                    try:
                        rows_ingest_parallel(
                            batch=batch,
                            source=source,
                            path=path,
                            workers=options["workers"],
                            entitled=_entitled,
                            today=today,
                            progress=bar.update,
                        )
                    except WorkerFailed as failed:
                        raise CommandError(
                            f"{failed}: the batch is left in progress; run the command again to finish it"
                        ) from None
        report = replayed or batch_complete(batch=batch, source=source)
        if report.replayed:
            self.stdout.write("This batch was already ingested: nothing changed.")
        self.stdout.write(", ".join(f"{outcome}: {count}" for outcome, count in report.counts.items()))
        for row in report.rejected:
            self.stdout.write(f"row {row.row_number}: {row.reason}")
