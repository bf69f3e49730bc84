"""`manage.py ingest SOURCE FILE`: ingest a CSV or JSON Lines file for a feed source, with a progress bar.

The batch id defaults to the file's SHA-256, so running the same file again changes nothing, and a run
killed part-way is finished by running it again (rows already done are skipped, none is done twice).
It prints what the source is told (`feeds.ingest.source_report`, as the API answers): rows created,
accepted (matched to the index or held for a person to check, never which) and rejected, the rejected ones
listed by number and reason; no submitted value is ever printed. `--workers N` links
rows in N processes side by side (`feeds.workers`): the same rows, the same outcome, resumable likewise.

The source's standing is judged before the first row and again every few seconds while the file is read
(`feeds.ingest.STANDING_SECONDS`), as the API judges it at each request: a source suspended, whose
organisation is closed, or whose fields or local authorities change while a long file goes in stops
between rows, the batch left in progress for a rerun. A refusal by the policy is audited.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from access.permissions import Permission
from access.policy import Decision, decide, feed_row_decide
from accounts.models import Organisation
from audit.services import event_record
from audit.tags import AuditTag
from feeds.ingest import (
    BatchConflict,
    SourceRefused,
    StandingCheck,
    Verdict,
    batch_complete,
    batch_id_refused,
    batch_open,
    batch_rows_ingest,
    source_report,
)
from feeds.models import FeedBatch, FeedSource
from feeds.parsers import (
    FeedFileInvalid,
    FileChanged,
    FileState,
    feed_format,
    file_fingerprint_and_state,
    rows_count,
    rows_read,
)
from feeds.sources import source_entitlement
from feeds.workers import WorkerFailed, bulk_session, rows_ingest_parallel


def _entitled(source: FeedSource, fields: set[str], la: Organisation | None) -> Decision:
    return feed_row_decide(source=source, fields=fields, local_authority_id=la.pk if la else None)


FILE_CHANGED = "the file changed while it was being ingested (replaced, or written to)"
FILE_AGAIN = (
    "ingest it again once it is complete: the same content finishes its batch, other content is a batch "
    "of its own"
)


@dataclass(frozen=True)
class _EntitlementChanged:
    allowed: bool = False
    message: str = (
        "the source's entitlement (its fields or local authorities) changed while the file was being "
        "ingested; run the command again to go on under the entitlement as it is now"
    )


def _standing(source: FeedSource, *, audited: bool = True) -> StandingCheck:
    """The source as the run began, judged again as it is now: the policy (a refusal audited unless
    `audited` is False), and the same entitlement, since every row is judged and linked by the one the
    run began with."""
    began = source_entitlement(source)

    def standing(_: FeedSource) -> Verdict:
        now = FeedSource.objects.select_related("user__organisation").get(pk=source.pk)
        decision = _decided(now) if audited else decide(actor=now.user, action=Permission.FeedSubmit)
        if not decision:
            return decision
        return decision if source_entitlement(now) == began else _EntitlementChanged()

    return standing


def _decided(source: FeedSource) -> Decision:
    """The policy on the source, a refusal audited as the API audits one."""
    decision = decide(actor=source.user, action=Permission.FeedSubmit)
    if not decision:
        event_record(
            tag=AuditTag.AccessDenied,
            actor=source.user,
            additional={
                "action": str(Permission.FeedSubmit),
                "reason": decision.reason,
                "channel": "ingest command",
            },
        )
    return decision


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
            # A code holding a NUL names nothing (and PostgreSQL could not even be asked about it).
            FeedSource.objects.select_related("user__organisation").filter(code=options["source"]).first()
            if "\x00" not in options["source"]
            else None
        )
        # An id the source already has a batch under is taken though the rule refuses it now (an earlier
        # rule took it): that batch can still be finished. A new batch's id must follow the rule.
        if options["batch_id"] and (problem := batch_id_refused(batch_id=options["batch_id"], source=source)):
            raise CommandError(f"{problem}: nothing was ingested")
        if source is None:
            raise CommandError("no feed source with that code")
        decision = _decided(source)
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
        try:
            # The batch is the content fingerprinted: every later reading checks it reads that content.
            fingerprint, state = file_fingerprint_and_state(path)
            total = rows_count(path, expect=state)
        except FeedFileInvalid as invalid:
            raise CommandError(f"{invalid}: nothing was ingested") from None
        except FileChanged:
            raise CommandError(f"{FILE_CHANGED}: nothing was ingested; {FILE_AGAIN}") from None
        if total == 0:
            # Completed empty under its id, the batch would refuse the real file then sent under that id as
            # other content: no batch is opened without a row (as the API refuses an empty batch).
            raise CommandError("the file holds no row: nothing was ingested and no batch opened")
        try:
            batch, replayed = batch_open(
                source=source, batch_id=options["batch_id"] or fingerprint, fingerprint=fingerprint
            )
        except BatchConflict as conflict:
            raise CommandError(str(conflict)) from None
        today = timezone.localdate()
        # With workers, each worker judges without auditing and the command audits the refusal once.
        standing = _standing(source, audited=options["workers"] == 1)
        if replayed is None:
            try:
                self._rows_ingest(batch, source, path, state, options, today, total, standing)
            except FileChanged:
                raise CommandError(
                    f"{FILE_CHANGED}: the batch is left in progress with the rows read before the change; "
                    f"{FILE_AGAIN}"
                ) from None
            except SourceRefused as refused:
                message = str(refused)
                if options["workers"] > 1:  # the workers' refusal, asked again for its reason (audited)
                    again = _standing(source)(source)
                    message = again.message if not again.allowed else "the source's standing changed"
                raise CommandError(
                    f"{message}: the batch is left in progress with the rows done so far; "
                    "run the command again to finish it once the source may submit"
                ) from None
        # What the source is told, as the API tells it: the operator runs this on the source's behalf and
        # hands the output back. The full breakdown is in the stored rows, the batch's audit event and the
        # service health page.
        report = source_report(replayed or batch_complete(batch=batch, source=source))
        if report.replayed:
            self.stdout.write("This batch was already ingested: nothing changed.")
        self.stdout.write(", ".join(f"{outcome}: {count}" for outcome, count in report.counts.items()))
        for row in report.rejected:
            self.stdout.write(f"row {row.row_number}: {row.reason}")

    def _rows_ingest(
        self,
        batch: FeedBatch,
        source: FeedSource,
        path: Path,
        state: FileState,
        options: dict[str, Any],
        today: date,
        total: int,
        standing: StandingCheck,
    ) -> None:
        with tqdm(total=total, unit="row", disable=options["no_progress"], file=self.stderr) as bar:
            if options["workers"] == 1:
                bulk_session()
                batch_rows_ingest(
                    batch=batch,
                    source=source,
                    rows=rows_read(path, expect=state),
                    entitled=_entitled,
                    today=today,
                    progress=lambda: bar.update(1),
                    standing=standing,
                )
                return
            try:
                rows_ingest_parallel(
                    batch=batch,
                    source=source,
                    path=path,
                    expect=state,
                    workers=options["workers"],
                    entitled=_entitled,
                    today=today,
                    progress=bar.update,
                    standing=standing,
                )
            except WorkerFailed as failed:
                raise CommandError(
                    f"{failed}: the batch is left in progress; run the command again to finish it"
                ) from None
