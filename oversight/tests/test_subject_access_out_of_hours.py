"""A subject access report decrypts the whole record, so the viewing rules count it as a view
(docs/DECISIONS.md section 9). The out-of-hours rule counts searches and record views made outside
working hours: reports produced at night are looks at whole records too, and were not counted, so an
LA team member could read more records at night through reports than through the record page before
anyone was told."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.search import SearchCriteria, child_search
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in
from tests.personas import make_child

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}
NAMES = ["Thornton", "Begum", "Okafor", "Nowak", "Patel", "Hughes", "Murray", "Quinn"]
# Wednesday 2 December 2026, 22:30 in London (GMT): outside the national working hours.
NIGHT = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)
DAY = datetime(2026, 12, 2, 10, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _office_hours(settings):
    settings.MISUSE_WORKING_HOURS_START = "07:00"
    settings.MISUSE_WORKING_HOURS_END = "19:00"
    settings.MISUSE_WORKING_DAYS = (0, 1, 2, 3, 4)
    settings.MISUSE_OUT_OF_HOURS_ACTIONS_PER_HOUR = 3
    settings.MISUSE_SUSPEND_FACTOR = 2  # suspend above 6
    settings.MISUSE_VIEWS_PER_HOUR = 100  # bulk viewing is tested apart


def _produce_reports(world, moment: datetime, count: int) -> list[str]:
    with time_machine.travel(moment, tick=False):
        children = [make_child(world, family_name=name, postcode="LS6 2QT") for name in NAMES[:count]]
        client = signed_in(world.lena)
        return [
            client.post(reverse("audit:subject_access", args=[child.pk]), REQUEST).content.decode()
            for child in children
        ]


def test_subject_access_reports_produced_at_night_count_toward_the_out_of_hours_rule(world):
    pages = _produce_reports(world, NIGHT, 8)

    alert = Alert.objects.get(kind=AlertKind.OUT_OF_HOURS)
    assert (alert.local_authority, alert.raised_by) == (world.north, world.lena)
    rules = [e.additional["rule"] for e in AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected)]
    assert rules == ["out_of_hours", "out_of_hours"]  # the alert (4th report), then the suspension (7th)
    world.lena.refresh_from_db()
    assert world.lena.suspended_at is not None
    assert sum("LS6 2QT" in page for page in pages) == 6  # nothing shown once suspended


def test_subject_access_reports_produced_in_working_hours_are_not_out_of_hours(world):
    pages = _produce_reports(world, DAY, 8)

    assert all("LS6 2QT" in page for page in pages)  # every report was produced and shown
    assert not Alert.objects.exists()
    world.lena.refresh_from_db()
    assert world.lena.suspended_at is None


def test_a_search_at_night_counts_the_reports_produced_before_it(world):
    _produce_reports(world, NIGHT, 3)
    assert not Alert.objects.exists()

    with time_machine.travel(NIGHT, tick=False):
        child_search(
            criteria=SearchCriteria(family_name="Thornton", postcode="LS6 2QT"), fetched_by=world.lena
        )

    alert = Alert.objects.get()
    assert (alert.kind, alert.raised_by) == (AlertKind.OUT_OF_HOURS, world.lena)
    event = AuditEvent.objects.get(tag=AuditTag.MisuseSuspected)
    assert (event.additional["rule"], event.additional["count"]) == ("out_of_hours", 4)
