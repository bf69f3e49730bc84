"""Helpers shared by the lifecycle tests: moving the clock and reading what the job left behind."""

from datetime import UTC, date, datetime

import time_machine

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child


def move_to(clock: time_machine.Traveller, day: date) -> None:
    clock.move_to(datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC))


def status_of(child: Child) -> str:
    return Child.objects.values_list("status", flat=True).get(pk=child.pk)


def events(tag: AuditTag, child: Child | None = None) -> list[AuditEvent]:
    found = AuditEvent.objects.filter(tag=tag)
    if child is not None:
        found = found.filter(child_id=child.pk)
    return list(found)
