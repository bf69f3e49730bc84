"""Daily archive and purge, closed records included (docs/LIFECYCLE.md). Idempotent.

    15 2 * * *  contactpoint  cd /srv/contactpoint && .venv/bin/python manage.py lifecycle_run

`--dry-run` writes nothing (not even the audit event) and prints the counts a real run would report.
A child whose archive or purge fails is skipped (rolled back alone) and the run goes on: each failure is
named on stderr by the child's id and the step, and the command exits non-zero. So is a record the scan
could not judge (step "archive scan": a date that opens but is not a date), and a record that could not be
read at all (`unreadable`: a damaged value, a KEK version the key provider does not have), which is never
archived on a guess: cron must not record success while children due today stay active and searchable.
Every reason to fail is said in the one error, none hiding another.
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
        listed = report.failures[:FAILURES_LISTED]
        for failure in listed:
            self.stderr.write(failure.line())
        if report.failed > len(listed):  # a systemic failure (the key provider down, say)
            self.stderr.write(f"... and {report.failed - len(listed)} more failures not listed")
        unreadable = report.unreadable_ids[:FAILURES_LISTED]
        for child_id in unreadable:  # its id alone: what a person looks at
            self.stderr.write(f"record {child_id}: unreadable")
        if report.unreadable > len(unreadable):  # a KEK version missing makes every record unreadable
            self.stderr.write(
                f"... and {report.unreadable - len(unreadable)} more unreadable records not listed"
            )
        problems = []
        if report.failed:
            problems.append(
                f"{report.failed} child(ren) failed: see the lines above; the rest were processed"
            )
        if report.unreadable:
            problems.append(
                f"{report.unreadable} record(s) could not be read, so were neither archived nor removed: see"
                " the lines above (a damaged value, or a KEK version the key provider does not have)"
            )
        if report.removals_withheld:
            problems.append(
                f"{report.removals_withheld} active records whose own key was shredded were not deleted: more"
                " than LIFECYCLE_REMOVALS_PER_RUN. Check the key provider's revocations, then run"
                " repair_shredded (--apply to delete them)"
            )
        if report.removals_shielded:
            problems.append(
                f"{report.removals_shielded} shielded active record(s) whose own key was shredded were not"
                " deleted: the shield would go with them. Ask their LA team to check the shield on the record"
                " each was being merged into, then run repair_shredded --apply --shielded-checked ID"
            )
        if problems:
            raise CommandError("; ".join(problems))
