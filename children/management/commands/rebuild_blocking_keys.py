"""Rebuild every child's blind blocking keys after the key design changes (matching.blocking).

Keys are derived from sealed fields, so a change of key design cannot be a schema migration: each child's
identity columns are unsealed in memory, the new keys computed and blind-indexed, and the old rows
replaced, one child per transaction. `make run` loads demo data fresh and needs none of this.

Each child is read under its row's lock, after the keys it is filed under (`children.key_locks`, as a
merge refiling keys takes them), so a feed update or correction refiling the keys meanwhile is waited
for and its names are the ones filed, and a record merged away or purged meanwhile is passed over. A
record whose key no longer opens (shredded by a purge or merge that then failed: its keys went with the
shred) is passed over and counted, never a traceback that leaves every later child on the old design.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from children.key_locks import children_keys_lock
from children.models import BlockingKeyEntry, Child
from children.selectors import child_details
from children.services import blocking_entries, child_rows_locked
from vault.crypto import KeyRevoked
from vault.keys import KeyShredded
from vault.sealing import Sealer


class Command(BaseCommand):
    help = "Recompute every child's blind blocking keys from its sealed identity."

    def handle(self, *args: Any, **options: Any) -> None:
        rebuilt = removed = 0
        for child_id in Child.objects.values_list("pk", flat=True).iterator(chunk_size=500):
            with transaction.atomic():
                children_keys_lock([child_id])
                child = child_rows_locked().filter(pk=child_id).first()
                if child is None:  # merged away or purged since the list was read
                    continue
                try:
                    details = child_details(child, Sealer(child.data_key))  # before former postcodes: none
                except (KeyRevoked, KeyShredded):
                    removed += 1
                    continue
                BlockingKeyEntry.objects.filter(child=child).delete()
                BlockingKeyEntry.objects.bulk_create(blocking_entries(child, details))
            rebuilt += 1
        self.stdout.write(
            f"rebuilt blocking keys for {rebuilt:,} children; "
            f"{removed:,} record{'' if removed == 1 else 's'} removed (keys shredded) passed over"
        )
