"""Delete active records whose own key was shredded by a merge that then failed (`lifecycle.removal`).

    .venv/bin/python manage.py repair_shredded            # how many there are; changes nothing
    .venv/bin/python manage.py repair_shredded --apply    # delete them now

The nightly `lifecycle_run` does this anyway: this is for an operator who has seen a merge fail and need
not wait for the night. A dry run unless `--apply`: it deletes records, and is typed by a person outside
the schedule, so it first says how many it would delete. Counts only on stdout; a record whose deletion
failed is named by its id alone on stderr, and the command exits non-zero. Each deletion is audited
(`child:record:removal_completed`). A shielded one is left (counted, and named by its id alone on stderr)
unless its id is given to `--shielded-checked`: its shield goes with it, so its LA team first shields the
record it was being merged into, and says which record it checked (one switch for all would delete
shielded records nobody checked).

    .venv/bin/python manage.py repair_shredded --apply --shielded-checked ID [ID ...]
"""

from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifecycle.services import removals_repair

HEAD = "Active records whose own key was shredded"


class Command(BaseCommand):
    help = (
        "Delete active records whose own data key was shredded by a merge that then failed (the nightly "
        "lifecycle_run does this too). Changes nothing without --apply."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="delete them (without it: count only)")
        parser.add_argument(
            "--shielded-checked",
            nargs="+",
            type=UUID,
            default=[],
            metavar="ID",
            help=(
                "delete these shielded ones too (record ids): only once their LA team has shielded the record "
                "each was being merged into (the shield goes with the record deleted)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = removals_repair(dry_run=not options["apply"], shielded_checked=options["shielded_checked"])
        mode = "DRY RUN: nothing changed; --apply to delete them" if report.dry_run else "changes made"
        self.stdout.write(f"{HEAD} ({mode})")
        for line in report.lines():
            self.stdout.write(line)
        for child_id in report.left_shielded_ids:  # its id alone: what to ask its LA team about
            self.stderr.write(f"record {child_id}: shielded, left (--shielded-checked {child_id})")
        for failure in report.failures:
            self.stderr.write(failure.line())
        if report.failed:
            raise CommandError(
                f"{report.failed} record(s) failed: see the lines above; the rest were deleted"
            )
