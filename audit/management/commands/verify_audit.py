"""Verify the whole audit log against the signed heads exported outside the database.

Exit status 0 when everything checks; 1 with one line per finding (naming the event id where it can).
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.signing import public_key_load, signing_key
from audit.verification import SignedHead, heads_load, log_verify


class Command(BaseCommand):
    help = "Recompute every leaf and root of the audit log and check them against exported signed heads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--head", action="append", default=[], help="a head file (repeatable)")
        parser.add_argument("--heads-dir", help="directory of exported heads (default AUDIT_HEAD_EXPORT_DIR)")
        parser.add_argument("--public-key", help="pinned public key PEM (default: from the signing key)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["head"]:
            heads = [SignedHead.from_file(Path(p)) for p in options["head"]]
        else:
            heads = heads_load(options["heads_dir"] or settings.AUDIT_HEAD_EXPORT_DIR)
        heads.sort(key=lambda h: (h.size, h.issued_at))
        if not heads:
            raise CommandError("no signed heads found: run `manage.py audit_checkpoint` first")
        public = (
            public_key_load(options["public_key"]) if options["public_key"] else signing_key().public_key()
        )
        report = log_verify(heads=heads, public_key=public)
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
