"""`manage.py link_file INPUT.csv --out CLUSTERS.csv`: cluster multi-source records, one cluster per child.

Input columns: record_id, source, given_name, family_name, date_of_birth, sex, address_line, town,
postcode. Output: record_id, source, cluster_id, decision (match / new / review / rejected). Streaming
with bounded memory (linkage.filelink); each rejected row is printed by number as it is met (rows
numbered as ingest numbers them), then the counts, reviews over the candidate cap among them. Touches no database of the index and writes no audit event: it
is a tool for an operator's own file (e.g. a data-quality check before a feed goes live).
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from linkage.filelink import FILE_CANDIDATE_LIMIT, link_file


class Command(BaseCommand):
    help = "Cluster a CSV of records from several sources with the matching engine (one cluster per child)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["input"]
        if not source.is_file():
            raise CommandError("no such input file")
        with (
            # A byte order mark is ignored; bytes that are not UTF-8 reject their row, not the file.
            source.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle,
            options["out"].open("w", encoding="utf-8", errors="surrogateescape", newline="") as out,
            tqdm(unit="record", disable=options["no_progress"], file=self.stderr) as bar,
        ):
            try:
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
