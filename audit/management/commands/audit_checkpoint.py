"""Checkpoint the audit log: extend the Merkle tree, sign the head, export it outside the database.

Run it from cron (every few minutes); each run does work proportional to what is new.
"""

from typing import Any

from django.core.management.base import BaseCommand

from audit.checkpoints import checkpoint_create


class Command(BaseCommand):
    help = "Sign and export a tree head over the audit log (incremental)."

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = checkpoint_create()
        head = checkpoint.head
        if not checkpoint.created:
            self.stdout.write(f"no new events: latest head covers {head.size} events, root {head.root}")
            return
        self.stdout.write(
            f"signed head: {head.size} events up to id {head.last_event_id}, root {head.root}, "
            f"exported to {checkpoint.exported_to}"
        )
