"""`manage.py rotate_keys`: re-wrap every data key under a new KEK; resumable; optional DEK rotation.

A run overtaken by a newer one (which made a newer KEK current between two of its batches) stops, says
so and exits non-zero without retiring: its own rotation was not completed, and the newer run is the
one that re-wraps every key left, this run's included (`vault.rotation.RotationSuperseded`). Run with
--rotate-deks, it also says how many keys it gave fresh DEKs, and how the rest get one.

Each run is audited (`vault:keys:rotated`: the KEK version, counts, whether it was superseded), and so is
each retirement (`vault:keks:retired`: the versions destroyed and those kept): retiring makes every older
backup unrestorable, and an auditor must be able to say when keys were last rotated. Versions and counts
only, never a key or an id. The command lives here, on the administration floor, because the vault sits
below the ledger and cannot write to it.
"""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from audit.services import event_record
from audit.tags import AuditTag
from vault.rotation import (
    RotationSuperseded,
    keks_kept,
    keks_retire_unused,
    rotation_batch,
    rotation_pending,
    rotation_start,
)

BUSY_PAUSE = 0.05  # seconds


class Command(BaseCommand):
    help = (
        "Re-wrap every data key under a new KEK (or finish an interrupted rotation). "
        "--rotate-deks also gives each owner a fresh data key and re-encrypts its sealed fields. "
        "--retire then destroys every old KEK that no live data key uses."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="data keys per transaction")
        parser.add_argument(
            "--rotate-deks", action="store_true", help="also replace each owner's DEK and re-seal its rows"
        )
        parser.add_argument(
            "--retire", action="store_true", help="afterwards, destroy old KEKs no live data key uses"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:  # zero would take nothing and report success; below, fail mid-run
            raise CommandError("--batch-size must be at least 1")
        target, started = rotation_start()
        pending = rotation_pending(target)
        verb = "Started" if started else "Resuming"
        self.stdout.write(f"{verb} rotation to KEK v{target}: {pending} data keys to re-wrap.")
        rewrapped = replaced = revoked = 0
        unreadable: list[Any] = []
        dek_kept: list[Any] = []
        superseded: RotationSuperseded | None = None
        failed = True  # until the loop ends: a run stopped by an error is audited with what it did
        try:
            with tqdm(
                total=pending, unit="key", file=sys.stderr, disable=options["no_progress"], desc="rotate"
            ) as bar:
                while True:
                    try:
                        result = rotation_batch(
                            target=target,
                            size=options["batch_size"],
                            rotate_deks=options["rotate_deks"],
                            exclude=frozenset(unreadable),
                        )
                    except RotationSuperseded as newer:
                        superseded = newer
                        break
                    if not result.taken:
                        if not result.busy:
                            break
                        time.sleep(BUSY_PAUSE)  # every key left is held by a write in progress: let it commit
                        continue
                    rewrapped += result.rewrapped
                    replaced += result.replaced
                    revoked += result.revoked
                    unreadable.extend(result.unreadable)
                    dek_kept.extend(result.dek_kept)
                    bar.update(result.taken)
            failed = False
        finally:
            event_record(
                tag=AuditTag.KeysRotated,
                actor=None,
                additional={
                    "kek_version": target,
                    "started": started,
                    "rotate_deks": bool(options["rotate_deks"]),
                    "rewrapped": rewrapped,
                    "deks_replaced": replaced,
                    "revoked_recorded_shredded": revoked,
                    "unreadable": len(unreadable),
                    "deks_kept": len(dek_kept),
                    "superseded": superseded is not None,
                    "failed": failed,
                },
            )
        self.stdout.write(f"Re-wrapped {rewrapped} data keys under KEK v{target}; {replaced} DEKs replaced.")
        self._report_skipped(revoked, unreadable)
        self._report_dek_kept(dek_kept)
        if superseded is not None:
            raise CommandError(
                f"Stopped: this rotation to KEK v{target} was superseded by a newer rotation to KEK "
                f"v{superseded.current}, which re-wraps every data key under an older KEK (the {rewrapped} "
                "re-wrapped here included). Nothing was retired; if that run did not finish, run "
                "rotate_keys again to resume it."
                + (self._fresh_deks_unfinished(replaced) if options["rotate_deks"] else "")
            )
        if options["retire"]:
            self._retire()

    @staticmethod
    def _fresh_deks_unfinished(replaced: int) -> str:
        """What a superseded --rotate-deks run left: the keys it did not reach were re-wrapped by another run
        (the newer rotation starts only once nothing of this one is left), which gives no fresh DEK without
        --rotate-deks. Run again before the newer rotation ends, --rotate-deks would resume it and reach only
        the keys it has left; once it has ended, a new rotation gives every owner's key a fresh DEK."""
        return (
            f" This run gave fresh DEKs to {replaced} of the data keys it re-wrapped; a key it did not "
            "reach was re-wrapped by another run, and kept its DEK unless that run had --rotate-deks too. "
            "To give every data key a fresh DEK, run rotate_keys --rotate-deks again once the newer "
            "rotation has finished: it then starts a new rotation that gives each one a fresh DEK, those "
            "given one here included (run before that, it resumes the newer rotation and reaches only the "
            "keys that one has left)."
        )

    def _report_skipped(self, revoked: int, unreadable: list[Any]) -> None:
        """Keys not re-wrapped, by id only (a DataKey id says nothing about the person)."""
        if revoked:
            self.stdout.write(
                f"{revoked} data key{'s' if revoked != 1 else ''} the key provider had revoked (a shred not "
                "finished) recorded as shredded: run that shred again to record its audit event."
            )
        if unreadable:
            ids = ", ".join(str(pk) for pk in unreadable)
            were = "was" if len(unreadable) == 1 else "were"
            self.stdout.write(
                f"{len(unreadable)} data key{'s' if len(unreadable) != 1 else ''} could not be opened and "
                f"{were} left under its old KEK: {ids}"
            )

    def _report_dek_kept(self, kept: list[Any]) -> None:
        """Keys re-wrapped but not given a fresh DEK: a row sealed under them does not open (by id only)."""
        if kept:
            ids = ", ".join(str(pk) for pk in kept)
            what = (
                "data key kept its DEK, as a row sealed under it does not open"
                if len(kept) == 1
                else "data keys kept their DEKs, as rows sealed under them do not open"
            )
            self.stdout.write(f"{len(kept)} {what}: {ids}")

    def _retire(self) -> None:
        # Recorded before any key material is destroyed, so a run stopped part way still left its record;
        # a KEK that became retirable meanwhile (its last live key shredded) is recorded after.
        before = keks_kept()
        retiring = sorted(v for v, live in before.items() if live == 0)
        _retirement_audited(retiring, kept={v: live for v, live in before.items() if live})
        retired = keks_retire_unused()
        if unrecorded := sorted(set(retired) - set(retiring)):
            _retirement_audited(unrecorded, kept={})
        kept = keks_kept()
        names = ", ".join(f"v{v}" for v in retired) or "none"
        self.stdout.write(f"Retired KEKs: {names}.")
        if kept:
            held = ", ".join(
                f"v{v} ({n} live data key{'s' if n != 1 else ''} still wrapped under it)"
                for v, n in kept.items()
            )
            self.stdout.write(f"Kept KEKs: {held}.")


def _retirement_audited(versions: list[int], *, kept: dict[int, int]) -> None:
    """`vault:keks:retired`: the KEK versions about to be destroyed, and those kept with their live keys."""
    event_record(
        tag=AuditTag.KeksRetired,
        actor=None,
        additional={"retiring": versions, "kept": {str(v): live for v, live in kept.items()}},
    )
