"""`manage.py national_relink INPUT.csv --out CLUSTERS.csv`: the committed Splink model over a whole file.

Same input as `link_file` (record_id, source, given_name, family_name, date_of_birth, sex, address_line,
town, postcode), read the same way (`linkage.filelink.file_rows`: a byte order mark ignored, rows
numbered as ingest numbers them, a row that is not UTF-8, has a cell over the CSV limit or an unclosed
quote rejected by number). Output: record_id, source, cluster_id; a record is its source and record id
(each source numbers its own records). Runs Splink on DuckDB on this machine; the production batch runs
`linkage.national.national_relink` with a SparkAPI (docs/DEPLOYMENT.md). Bad rows are reported by row
number and reason (never their values) and left out; the rest are clustered. The output is renamed onto
--out only when complete, and --out naming the input file is refused (`linkage.filelink.output_file`).

DuckDB spills what does not fit its memory to disk, by default into `.tmp` under the current directory
(made 0755, files 0644, left behind by a killed process): records in clear. Here it spills only into a
directory of the run's own (0700, `tempfile.mkdtemp`), removed when the run ends (SIGTERM and SIGHUP end
it through that cleanup too).
"""

import csv
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkage.filelink import Unread, file_rows, identity_from_row, output_file
from linkage.national import national_relink


def _stopped(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def _private_duckdb() -> Iterator[Any]:
    """A Splink DuckDB API whose spill directory is the run's own (0700), removed afterwards."""
    import duckdb  # batch-job dependencies, as in linkage.national
    from splink import DuckDBAPI

    spill = tempfile.mkdtemp(prefix="cp-relink-")  # mode 0700
    try:
        connection = duckdb.connect(config={"temp_directory": spill})
        try:
            yield DuckDBAPI(connection=connection)
        finally:
            connection.close()
    finally:
        shutil.rmtree(spill, ignore_errors=True)


class Command(BaseCommand):
    help = "Cluster a CSV of records with the committed Splink model (national re-linkage, DuckDB here)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        # SIGTERM and SIGHUP end the run through its cleanup (no partial output, no spill directory).
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
        with ExitStack() as stack:
            try:  # renamed onto --out only when complete; never the input file (checked before reading)
                out = stack.enter_context(output_file(options["out"], source=source))
            except ValueError as wrong:  # --out names the input, a directory, or no existing directory
                raise CommandError(str(wrong)) from None
            try:
                records, rejected = self._read(source)
            except ValueError as wrong:  # the header: a missing column, or one that cannot be read
                raise CommandError(str(wrong)) from None
            # Splink keys each record by its row number: record ids are only unique within their source.
            if records:
                db_api = stack.enter_context(_private_duckdb())
                clusters = national_relink(records, db_api=db_api)
            else:
                clusters = {}
            writer = csv.writer(out)
            writer.writerow(["record_id", "source", "cluster_id"])
            for record in records:
                writer.writerow([record["id"], record["source"], clusters[record["record_id"]]])
        for number, reason in rejected:
            self.stderr.write(f"row {number}: {reason}")
        self.stdout.write(
            f"{len(records):,} records in {len(set(clusters.values())):,} clusters; {len(rejected):,} rows rejected"
        )

    @staticmethod
    def _read(source: Path) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
        """The usable records (keyed by row number) and the rejected rows (number, reason)."""
        records: list[dict[str, Any]] = []
        rejected: list[tuple[int, str]] = []
        # A byte order mark is ignored; bytes that are not UTF-8 reject their row, not the file.
        with source.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
            for number, row in file_rows(handle):
                try:
                    if isinstance(row, Unread):
                        raise ValueError(row.reason)
                    identity = identity_from_row(row)
                except ValueError as wrong:
                    rejected.append((number, str(wrong)))
                    continue
                records.append(
                    {
                        "record_id": str(number),
                        "id": row["record_id"] or "",
                        "source": row["source"] or "",
                        "given": identity.given_name or "",
                        "family": identity.family_name or "",
                        "gender": identity.gender,
                        "dob": identity.date_of_birth,
                        "postcode": identity.postcodes[0] if identity.postcodes else "",
                    }
                )
        return records, rejected
