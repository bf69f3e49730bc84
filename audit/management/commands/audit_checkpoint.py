"""Checkpoint the audit log: extend the Merkle tree, sign the head, export it outside the database.

Each run does work proportional to what is new. `--watch` keeps running and signs a head after
AUDIT_CHECKPOINT_EVERY_EVENTS events or AUDIT_CHECKPOINT_EVERY_SECONDS, whichever comes first: `make run`
starts it beside the development server; production runs it as its own service (docs/AUDIT.md).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.checkpoints import Checkpoint, HeadTrustError, checkpoint_create, checkpoint_watch


class Command(BaseCommand):
    help = "Sign and export a tree head over the audit log (incremental)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--watch", action="store_true", help="keep running, signing heads when due")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between checks (--watch)")
        parser.add_argument("--rounds", type=int, default=None, help="stop after this many checks (--watch)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._run(options)
        except HeadTrustError as refused:  # in words, with a non-zero exit: never a traceback
            raise CommandError(f"signing stopped: {refused}") from refused

    def _run(self, options: dict[str, Any]) -> None:
        if options["watch"]:
            checkpoint_watch(interval=options["interval"], rounds=options["rounds"], on_signed=self._signed)
            return
        checkpoint = checkpoint_create()
        head = checkpoint.head
        if not checkpoint.created:
            self.stdout.write(f"no new events: latest head covers {head.size} events, root {head.root}")
            return
        self.stdout.write(
            f"signed head: {head.size} events up to id {head.last_event_id}, root {head.root}, "
            f"exported to {checkpoint.exported_to}"
        )

    def _signed(self, checkpoint: Checkpoint) -> None:
        self.stdout.write(
            f"signed head: {checkpoint.head.size} events up to id {checkpoint.head.last_event_id}"
        )
