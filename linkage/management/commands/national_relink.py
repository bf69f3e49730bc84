"""`manage.py national_relink INPUT.csv --out CLUSTERS.csv`: the committed Splink model over a whole file.

Same input columns as `link_file` (record_id, source, given_name, family_name, date_of_birth, sex,
address_line, town, postcode). Runs Splink on DuckDB on this machine; the production batch runs
`linkage.national.national_relink` with a SparkAPI (docs/DEPLOYMENT.md). Bad rows are reported by row
number and reason (never their values) and left out; the rest are clustered.
"""

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkage.filelink import COLUMNS, identity_from_row
from linkage.national import national_relink


class Command(BaseCommand):
    help = "Cluster a CSV of records with the committed Splink model (national re-linkage, DuckDB here)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        records: list[dict[str, Any]] = []
        rejected: list[tuple[int, str]] = []
        with options["input"].open(newline="", encoding="utf-8") as source:
            reader = csv.DictReader(source)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CommandError(f"missing columns: {', '.join(missing)}")
            for number, row in enumerate(reader, start=2):  # row 1 is the header
                try:
                    identity = identity_from_row(row)
                except ValueError as wrong:
                    rejected.append((number, str(wrong)))
                    continue
                records.append(
                    {
                        "record_id": row["record_id"],
                        "given": identity.given_name or "",
                        "family": identity.family_name or "",
                        "gender": identity.gender,
                        "dob": identity.date_of_birth,
                        "postcode": identity.postcodes[0] if identity.postcodes else "",
                    }
                )
        clusters = national_relink(records)
        with options["out"].open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["record_id", "cluster_id"])
            for record in records:
                writer.writerow([record["record_id"], clusters[str(record["record_id"])]])
        for number, reason in rejected:
            self.stderr.write(f"row {number}: {reason}")
        self.stdout.write(
            f"{len(records):,} records in {len(set(clusters.values())):,} clusters; {len(rejected):,} rows rejected"
        )
