"""Reads of corrections and complaints. Lists carry index numbers and field names, never values;
only the one correction or complaint a permitted person opens is decrypted."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from children.models import Child, RecordStatus
from corrections.models import Complaint, Correction, CorrectionStatus
from vault.sealing import Sealer


@dataclass(frozen=True)
class CorrectionPin:
    """An accepted correction of a field that feeds also supply (see feeds.provenance.displayed_value)."""

    value: Any
    accepted_at: datetime
    # Every value an accepted correction of the field replaced, the latest's and earlier ones (X corrected
    # to Y, then Y to Z: a source repeating X must not bring it back either).
    replaced_before: tuple[Any, ...]


def correction_pins(*, child: Child, fields: list[str], sealer: Sealer) -> dict[str, CorrectionPin]:
    """The latest accepted correction of each of `fields` of `child`, decrypted: one query per feed update."""
    latest: dict[str, Correction] = {}
    replaced: dict[str, list[Any]] = {}
    accepted = Correction.objects.filter(
        child=child, field__in=fields, status=CorrectionStatus.ACCEPTED, decided_at__isnull=False
    ).order_by("decided_at")
    for correction in accepted:
        latest[correction.field] = correction
        replaced.setdefault(correction.field, []).append(sealer.unseal(correction, "previous_value"))
    return {
        field: CorrectionPin(
            value=sealer.unseal(correction, "proposed_value"),
            accepted_at=correction.decided_at,  # type: ignore[arg-type]  # filtered: never None
            replaced_before=tuple(replaced[field]),
        )
        for field, correction in latest.items()
    }


def listed_ids(shown: "Sequence[Correction | Complaint]", *, key: str) -> dict[str, list[str]]:
    """What a list of corrections or complaints named, for its audit event: their ids (under `key`) and
    their children's, in the order shown. A list shows each child's index number: the log says which."""
    return {
        key: [str(item.pk) for item in shown],
        "child_ids": list(dict.fromkeys(str(item.child_id) for item in shown)),
    }


def corrections_pending(*, local_authority_id: int) -> "QuerySet[Correction]":
    """The LA's queue, oldest first (the child's current LA owns it: a transfer moves the queue too); the
    id breaks a tie, so a correction is on one page only."""
    return (
        Correction.objects.filter(
            status=CorrectionStatus.PENDING,
            child__local_authority_id=local_authority_id,
            # Archived or closed: nobody may decide it. One pending from before lapsing existed is not
            # offered (`corrections.lapsing` ends them as the record ends).
            child__status=RecordStatus.ACTIVE,
        )
        .select_related("child", "raised_by__organisation")
        .order_by("raised_at", "pk")
    )


def corrections_raised_by(*, user: User) -> "QuerySet[Correction]":
    return Correction.objects.filter(raised_by=user).select_related("child__data_key").order_by("-raised_at")


def corrections_of(*, child: Child) -> "QuerySet[Correction]":
    return (
        Correction.objects.filter(child=child).select_related("raised_by__organisation").order_by("raised_at")
    )


def complaints_of(*, child: Child) -> "QuerySet[Complaint]":
    return Complaint.objects.filter(child=child).order_by("received_on", "recorded_at")


def complaints_for(*, local_authority_id: int) -> "QuerySet[Complaint]":
    return (
        Complaint.objects.filter(child__local_authority_id=local_authority_id)
        .exclude(child__status=RecordStatus.CLOSED)
        .select_related("child")
        .order_by("-received_on", "-recorded_at", "-pk")
    )
