"""Rebuild the carer keys (family matching) of every active child with a current recorded involvement.

Carer keys are written when an involvement is recorded; run this after a feed has changed carers, or
once after installing coordination on an index that already holds involvements. Prints counts only.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from children.models import Child, RecordStatus
from coordination.family import carer_keys_refresh


class Command(BaseCommand):
    help = "Rebuild the blind carer keys used for family matches (counts only are printed)."

    def handle(self, *args: Any, **options: Any) -> None:
        children = Child.objects.filter(
            status=RecordStatus.ACTIVE, involvements__ceased=False, involvements__recorded_by__isnull=False
        ).distinct()
        count = 0
        for child in children.select_related("data_key").iterator(chunk_size=500):
            with transaction.atomic():
                carer_keys_refresh(child=child)
            count += 1
        self.stdout.write(f"carer keys rebuilt for {count} children")
