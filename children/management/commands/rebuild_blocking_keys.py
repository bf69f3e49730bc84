"""Rebuild every child's blind blocking keys after the key design changes (matching.blocking).

Keys are derived from sealed fields, so a change of key design cannot be a schema migration: each child's
identity columns are unsealed in memory, the new keys computed and blind-indexed, and the old rows
replaced, one child per transaction. `make run` loads demo data fresh and needs none of this.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from children.models import BlockingKeyEntry, Child
from children.selectors import child_details
from children.services import blocking_entries
from vault.sealing import Sealer


class Command(BaseCommand):
    help = "Recompute every child's blind blocking keys from its sealed identity."

    def handle(self, *args: Any, **options: Any) -> None:
        rebuilt = 0
        for child in Child.objects.select_related("data_key").iterator(chunk_size=500):
            sealer = Sealer(child.data_key)
            details = child_details(child, sealer)  # a row from before former postcodes reads as none
            with transaction.atomic():
                BlockingKeyEntry.objects.filter(child=child).delete()
                BlockingKeyEntry.objects.bulk_create(blocking_entries(child, details))
            rebuilt += 1
        self.stdout.write(f"rebuilt blocking keys for {rebuilt:,} children")
