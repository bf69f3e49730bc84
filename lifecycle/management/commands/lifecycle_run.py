"""Daily archive and purge, closed records included (docs/LIFECYCLE.md). Idempotent.

    15 2 * * *  contactpoint  cd /srv/contactpoint && .venv/bin/python manage.py lifecycle_run

`--dry-run` writes nothing (not even the audit event) and prints the counts a real run would report.
A child whose archive or purge fails is skipped (rolled back alone) and the run goes on: each failure is
named on stderr by the child's id and the step, and the command exits non-zero.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifecycle.services import lifecycle_run

# Failures named one a line on stderr; more are counted (`failed`) but not listed, so that a failure of
# every child (the key provider unreachable) does not write millions of lines.
FAILURES_LISTED = 1000


class Command(BaseCommand):
    help = (
        "Archive records due today (18th birthday, archive age up to 25, death + 1 year); purge archives "
        "6 years on, and records closed for a new identity 6 years after the close."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="change nothing; report what would change")

    def handle(self, *args: Any, **options: Any) -> None:
        report = lifecycle_run(dry_run=options["dry_run"])
        for line in report.lines():
            self.stdout.write(line)
        for failure in report.failures[:FAILURES_LISTED]:
            self.stderr.write(failure.line())
        if len(report.failures) > FAILURES_LISTED:  # a systemic failure (the key provider down, say)
            self.stderr.write(f"... and {len(report.failures) - FAILURES_LISTED} more failures not listed")
        if report.failed:
            raise CommandError(
                f"{report.failed} child(ren) failed: see the lines above; the rest were processed"
            )
        if report.removals_withheld:
            raise CommandError(
                f"{report.removals_withheld} active records whose own key was shredded were not deleted: more"
                " than LIFECYCLE_REMOVALS_PER_RUN. Check the key provider's revocations, then run"
                " repair_shredded (--apply to delete them)"
            )
        if report.removals_shielded:
            raise CommandError(
                f"{report.removals_shielded} shielded active record(s) whose own key was shredded were not"
                " deleted: the shield would go with them. Ask their LA team to check the shield on the record"
                " each was being merged into, then run repair_shredded --apply --shielded-checked ID"
            )
