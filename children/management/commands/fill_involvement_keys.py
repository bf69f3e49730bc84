"""Give involvements recorded before `current_key` existed their key, so the duplicate rule covers them.

The key is a keyed hash of sealed details (the role), so it cannot be a schema migration: each current,
recorded involvement without a key has its role and organisation unsealed in memory and its key set,
one row per transaction. If an older current involvement already holds the same key, the later one is
left without a key and counted: two current rows for the same person and role are for the LA team to
tidy, not for this command to end. Idempotent: a second run changes nothing.

An involvement on a record whose key no longer opens (shredded by a purge or merge that then failed, its
rows waiting for the nightly run) is passed over and counted: nothing of it can be read, and stopping
there with a traceback left every later involvement without its key. The key is set only on the row as
it was read (still current, keyless, on that child): one ended or merged onto another record meanwhile is
left for the next run.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction

from children.models import Involvement
from children.services import involvement_current_key
from vault.crypto import KeyRevoked
from vault.keys import KeyShredded
from vault.sealing import Sealer


class Command(BaseCommand):
    help = "Set the duplicate-involvement key on current involvements recorded before it existed."

    def handle(self, *args: Any, **options: Any) -> None:
        filled = duplicates = removed = 0
        pending = (
            Involvement.objects.filter(current_key__isnull=True, ceased=False, recorded_by__isnull=False)
            .select_related("child__data_key", "recorded_by")
            .order_by("created_at")
        )
        for involvement in pending.iterator(chunk_size=500):
            try:
                sealer = Sealer(involvement.child.data_key)
            except (KeyRevoked, KeyShredded):
                removed += 1
                continue
            key = involvement_current_key(
                child=involvement.child,
                by=involvement.recorded_by,  # type: ignore[arg-type]  # filtered: never None here
                organisation_id=sealer.unseal(involvement, "organisation_id_sealed"),
                role=sealer.unseal(involvement, "role") or "",
            )
            try:
                with transaction.atomic():
                    filled += Involvement.objects.filter(
                        pk=involvement.pk,
                        child_id=involvement.child_id,
                        ceased=False,
                        current_key__isnull=True,
                    ).update(current_key=key)
            except IntegrityError:
                duplicates += 1
        self.stdout.write(
            f"keys set on {filled:,} involvements; {duplicates:,} duplicates left without one; "
            f"{removed:,} on records removed (keys shredded) passed over"
        )
