"""Verify the whole audit log against the signed heads exported outside the database.

Exit status 0 when everything checks; 1 with one line per finding (naming the event id where it can).
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.checkpoints import head_files
from audit.signing import public_key_load, signing_key
from audit.verification import heads_read, log_verify


class Command(BaseCommand):
    help = "Recompute every leaf and root of the audit log and check them against exported signed heads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--head", action="append", default=[], help="a head file (repeatable)")
        parser.add_argument("--heads-dir", help="directory of exported heads (default AUDIT_HEAD_EXPORT_DIR)")
        parser.add_argument("--public-key", help="pinned public key PEM (default: from the signing key)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["head"]:
            files = [Path(p) for p in options["head"]]
        else:
            files = head_files(options["heads_dir"] or settings.AUDIT_HEAD_EXPORT_DIR)
        if not files:
            raise CommandError("no signed heads found: run `manage.py audit_checkpoint` first")
        # A file that cannot be read (empty or cut short by a power cut, damaged) is a finding naming it;
        # every head that can be read is still checked.
        heads, unreadable = heads_read(files)
        heads.sort(key=lambda h: (h.size, h.issued_at))
        public = (
            public_key_load(options["public_key"]) if options["public_key"] else signing_key().public_key()
        )
        report = log_verify(heads=heads, public_key=public, unreadable=unreadable)
        self.stdout.write(
            f"unsigned tail: {report.tail_size} event(s), oldest {report.tail_age_seconds:.0f}s old "
            f"(limit {settings.AUDIT_UNSIGNED_TAIL_MAX_SECONDS}s)"
        )
        for finding in report.findings:
            self.stdout.write(f"FAIL {finding}")
        if not report.ok:
            raise CommandError(f"audit log verification failed: {len(report.findings)} finding(s)")
        self.stdout.write(
            f"OK: {report.events} events, {report.heads} signed head(s); latest covers {heads[-1].size}"
        )
