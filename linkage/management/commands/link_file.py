"""`manage.py link_file INPUT.csv --out CLUSTERS.csv`: cluster multi-source records, one cluster per child.

Input columns: record_id, source, given_name, family_name, date_of_birth, sex, address_line, town,
postcode. Output: record_id, source, cluster_id, decision (match / new / review / rejected). Streaming
with bounded memory (linkage.filelink); each rejected row is printed by number as it is met (rows
numbered as ingest numbers them), then the counts, reviews over the candidate cap among them. The output
is written beside --out and renamed onto it when complete (`linkage.filelink.output_file`): a failed or
interrupted run (SIGTERM and SIGHUP included) leaves --out as it was, and --out naming the input file is
refused. Touches no database of the index and writes no audit event: it is a tool for an operator's own
file (e.g. a data-quality check before a feed goes live).

Record ids and sources are written as the input has them, not neutralised for spreadsheets
(`disclosure.spreadsheet.csv_cell`): the output is joined back to the input by them, so they must stay
exactly the same, and every such cell is already in the operator's own input file.
"""

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from linkage.filelink import FILE_CANDIDATE_LIMIT, link_file, output_file


def _stopped(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


class Command(BaseCommand):
    help = "Cluster a CSV of records from several sources with the matching engine (one cluster per child)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        # SIGTERM (a timeout, a service stop) and SIGHUP (a closed terminal) end the run through its
        # cleanup, so no partial output is left; the exit status is the shell's for that signal.
        # (Signal handlers can be set in the main thread only; elsewhere the run goes on without them.)
        main = threading.current_thread() is threading.main_thread()
        stops = (signal.SIGTERM, signal.SIGHUP) if main else ()
        previous = {stop: signal.signal(stop, _stopped) for stop in stops}
        try:
            self._run(options)
        finally:
            for stop, handler in previous.items():
                signal.signal(stop, handler)

    def _run(self, options: dict[str, Any]) -> None:
        source: Path = options["input"]
        if not source.is_file():
            raise CommandError("no such input file")
        try:
            with (
                # A byte order mark is ignored; bytes that are not UTF-8 reject their row, not the file.
                source.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle,
                # Renamed onto --out only when complete; never the input file.
                output_file(options["out"], source=source) as out,
                tqdm(unit="record", disable=options["no_progress"], file=self.stderr) as bar,
            ):
                report = link_file(
                    handle,
                    out,
                    progress=lambda: bar.update(1),
                    # Each rejected row is printed as it is met (number and reason, never a value).
                    on_rejected=lambda number, reason: self.stdout.write(f"row {number}: {reason}"),
                )
        except ValueError as wrong:
            raise CommandError(str(wrong)) from None
        over_cap = (
            f" ({report.over_cap} of them over the candidate cap of {FILE_CANDIDATE_LIMIT}: too many "
            "records share their name and date of birth for the engine to decide)"
            if report.over_cap
            else ""
        )
        self.stdout.write(
            f"records: {report.records}, clusters: {report.clusters}, linked: {report.linked}, "
            f"review: {report.reviews}{over_cap}, rejected: {report.rejected}"
        )
