"""Create the development key file (mode 0600). Production keys come from the KMS/HSM runbook."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vault.providers import FileKeyProvider, KeyFileError


class Command(BaseCommand):
    help = "Create a new vault key file at VAULT_KEY_FILE (refuses to overwrite one)."

    def handle(self, *args: Any, **options: Any) -> None:
        path = getattr(settings, "VAULT_KEY_FILE", None)
        if not path:
            raise CommandError("VAULT_KEY_FILE is not set for these settings")
        try:
            FileKeyProvider.create(path)
        except KeyFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Created vault key file {path} (mode 0600).")
