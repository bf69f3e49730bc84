"""Rebuild the carer keys (family matching) of every active child with a current recorded involvement,
or with carer keys already, and withdraw the matches the rebuilt keys no longer bear out.

Carer keys are written when an involvement is recorded; run this after carers were changed by a path
that rebuilt no keys, once after installing coordination on an index that already holds involvements,
and once after the keys' normalisation changes. Prints counts only.

Keys that no longer say what the records hold made family matches with children who are not siblings:
each practitioner is shown the other's name and contact details. Every key is rebuilt first, and only
then are the matches judged (`coordination.family.matches_untrue_withdraw`, as a correction does), so a
pair both still sharing a carer is never judged with one side's keys rebuilt and the other's not yet.
"""

from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from children.models import Child, Involvement, RecordStatus
from coordination.family import carer_keys_refresh, matches_untrue_withdraw
from coordination.models import CarerKey


class Command(BaseCommand):
    help = (
        "Rebuild the blind carer keys used for family matches and withdraw the matches they no longer "
        "bear out (counts only are printed)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        current = Involvement.objects.filter(child=OuterRef("pk"), ceased=False, recorded_by__isnull=False)
        keyed = CarerKey.objects.filter(child=OuterRef("pk"))
        children = Child.objects.filter(
            Q(Exists(current)) | Q(Exists(keyed)), status=RecordStatus.ACTIVE
        ).select_related("data_key")
        rebuilt = 0
        for child in children.iterator(chunk_size=500):
            with transaction.atomic():
                carer_keys_refresh(child=child)
            rebuilt += 1
        withdrawn = 0
        child_id: UUID
        for child_id in children.values_list("pk", flat=True).iterator(chunk_size=2000):
            with transaction.atomic():
                still = Child.objects.filter(pk=child_id).first()
                if still is not None:
                    withdrawn += matches_untrue_withdraw(children=[still])
        noun = "match" if withdrawn == 1 else "matches"
        self.stdout.write(f"carer keys rebuilt for {rebuilt} children; {withdrawn} {noun} withdrawn")
