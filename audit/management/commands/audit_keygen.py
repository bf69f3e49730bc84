"""Create the audit signing key (development: `make secrets` runs this once)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.signing import SigningKeyError, key_id, signing_key_create


class Command(BaseCommand):
    help = "Create the Ed25519 key that signs audit tree heads (refuses to overwrite one)."

    def handle(self, *args: Any, **options: Any) -> None:
        path = getattr(settings, "AUDIT_SIGNING_KEY_FILE", None)
        if not path:
            raise CommandError("AUDIT_SIGNING_KEY_FILE is not set")
        try:
            key = signing_key_create(path)
        except SigningKeyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"audit signing key {key_id(key.public_key())} written to {path} (mode 0600)")
