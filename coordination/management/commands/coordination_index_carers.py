"""Rebuild the carer keys (family matching) of every active child with a current recorded involvement,
or with carer keys already, and withdraw the matches the rebuilt keys no longer bear out.

Carer keys are written when an involvement is recorded; run this after carers were changed by a path
that rebuilt no keys, once after installing coordination on an index that already holds involvements,
and once after the keys' normalisation changes. Prints counts only.

Then the family matches the rebuilt keys bear out and the old keys missed are made, as a recording makes
them (`coordination.services.involvement_matches_record`, told and emailed to whom the policy allows):
rebuilding alone left two siblings whose practitioners had both recorded under the old keys unmatched
until someone recorded again, so neither was told of the other and a shielded child's team never brokered.

Keys that no longer say what the records hold made family matches with children who are not siblings:
each practitioner is shown the other's name and contact details. Every key is rebuilt first, and only
then are the matches judged (`coordination.family.matches_untrue_withdraw`, as a correction does), so a
pair both still sharing a carer is never judged with one side's keys rebuilt and the other's not yet.

A record whose own key was shredded by a merge or purge that then failed (`children.merged_away`; its rows
wait for the nightly run, or a person if it is shielded) cannot be read: it is passed over, counted, and
its involvements make no match, where before it stopped the whole run with a traceback.
"""

from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from children.merged_away import key_opens
from children.models import Child, Involvement, RecordStatus
from children.services import child_rows_locked
from coordination.family import carer_keys_refresh, matches_untrue_withdraw
from coordination.models import CarerKey
from coordination.recording import match_audience, may_broker
from coordination.services import child_matches_record


class Command(BaseCommand):
    help = (
        "Rebuild the blind carer keys used for family matches, withdraw the matches they no longer bear "
        "out and make those they bear out that were missed (counts only are printed)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        current = Involvement.objects.filter(child=OuterRef("pk"), ceased=False, recorded_by__isnull=False)
        keyed = CarerKey.objects.filter(child=OuterRef("pk"))
        children = Child.objects.filter(
            Q(Exists(current)) | Q(Exists(keyed)), status=RecordStatus.ACTIVE
        ).select_related("data_key")
        rebuilt = 0
        removed: set[UUID] = set()
        for child in children.iterator(chunk_size=500):
            if not key_opens(child.data_key):  # shredded, waiting to be deleted: nothing to read
                removed.add(child.pk)
                continue
            with transaction.atomic():
                # The carers read under the child's row lock, which a correction, a merge or an unmerge
                # takes before it rebuilds the keys itself: read unlocked, a correction committing before
                # this took the carer keys had its new phone overwritten by keys of the old one.
                locked = child_rows_locked().filter(pk=child.pk).first()
                if locked is None:  # merged away or purged since the list was read
                    continue
                carer_keys_refresh(child=locked)
            rebuilt += 1
        withdrawn = 0
        child_id: UUID
        for child_id in children.values_list("pk", flat=True).iterator(chunk_size=2000):
            with transaction.atomic():
                still = Child.objects.filter(pk=child_id).first()
                if still is not None:
                    withdrawn += matches_untrue_withdraw(children=[still])
        made = self._missed_matches_make(removed=removed)
        self.stdout.write(
            f"carer keys rebuilt for {rebuilt} children; {_matches(withdrawn)} withdrawn; {_matches(made)} made"
            + (f"; {_records(len(removed))} passed over" if removed else "")
        )

    def _missed_matches_make(self, *, removed: set[UUID]) -> int:
        """Run the recording's match check again for every current recorded involvement, one child at a
        time (`child_matches_record`, as after a merge or a correction), once every key is rebuilt: a pair
        matched already is left as it is (one match per pair), so only what the old keys missed is made.
        Returns how many matches were made."""
        involved = (
            Involvement.objects.filter(
                ceased=False, recorded_by__isnull=False, child__status=RecordStatus.ACTIVE
            )
            .exclude(child_id__in=removed)
            .values_list("child_id", flat=True)
            .distinct()
            .order_by("child_id")
        )
        return sum(
            child_matches_record(child_id=child_id, gate=match_audience, brokers=may_broker)
            for child_id in involved.iterator(chunk_size=2000)
        )


def _records(count: int) -> str:
    return "1 removed record" if count == 1 else f"{count} removed records"


def _matches(count: int) -> str:
    return f"{count} match" if count == 1 else f"{count} matches"
