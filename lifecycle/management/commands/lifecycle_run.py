"""Daily archive and purge, closed records included (docs/LIFECYCLE.md). Idempotent.

    15 2 * * *  contactpoint  cd /srv/contactpoint && .venv/bin/python manage.py lifecycle_run

`--dry-run` writes nothing (not even the audit event) and prints the counts a real run would report.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lifecycle.services import lifecycle_run


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
