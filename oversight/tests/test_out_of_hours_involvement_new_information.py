"""Out of hours, an involvement recorded counts as activity only where it is new information: a child whose
record the person did not open in the rolling hour (a purpose stated by id, an involvement recorded, the
record page never requested). After a view of the child's record in the hour, the view was the look, and the
involvement recorded beside it adds nothing to the count.

Review (oversight, helper 10): the out-of-hours rule counts events, and counted each involvement recorded
too, so an emergency duty social worker at night (search, open the record, record an involvement, back to
the record) made four events a child instead of three, and eleven children in a night hour crossed the
suspension threshold (40 at the default 20 an hour).
"""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from coordination.tests.support import record_by_page
from oversight.models import Alert, AlertKind
from oversight.tests.support import DISTINCT_FAMILY_NAMES as NAMES
from reports.tests.reporting import searched
from tests.journeys import signed_in, state_purpose
from tests.personas import make_child

NIGHT = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # a Wednesday, 02:00 in London


@pytest.fixture
def nine_to_five(settings):
    settings.MISUSE_WORKING_HOURS_START = "07:00"
    settings.MISUSE_WORKING_HOURS_END = "19:00"
    settings.MISUSE_WORKING_DAYS = (0, 1, 2, 3, 4)
    return settings


def _seen_and_recorded(client, world, child, name):
    assert searched(world.alice, family_name=name) == [child]
    state_purpose(client, child)
    assert client.get(reverse("children:record", args=[child.pk])).status_code == 200
    record_by_page(client, child, role="Emergency duty social worker")
    assert client.get(reverse("children:record", args=[child.pk])).status_code == 200


def test_eleven_children_searched_opened_and_recorded_in_a_night_hour_alert_but_do_not_suspend(
    world, nine_to_five
):
    children = [make_child(world, family_name=name) for name in NAMES]
    with time_machine.travel(NIGHT, tick=False):
        client = signed_in(world.alice)
        for child, name in zip(children, NAMES, strict=True):
            _seen_and_recorded(client, world, child, name)
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None
    kinds = set(Alert.objects.filter(raised_by=world.alice).values_list("kind", flat=True))
    assert kinds == {AlertKind.OUT_OF_HOURS}  # 33 searches and views: above 20, not above 40


def test_an_involvement_recorded_beside_a_view_in_the_hour_adds_nothing(world, nine_to_five):
    nine_to_five.MISUSE_OUT_OF_HOURS_ACTIONS_PER_HOUR = 2
    child = make_child(world, family_name="Thornton")
    with time_machine.travel(NIGHT, tick=False):
        client = signed_in(world.alice)
        assert searched(world.alice, family_name="Thornton") == [child]
        state_purpose(client, child)
        client.get(reverse("children:record", args=[child.pk]))
        record_by_page(client, child, role="Emergency duty social worker")
    assert not Alert.objects.filter(raised_by=world.alice).exists()  # a search and a view: 2, not above 2


def test_involvements_recorded_by_id_at_night_without_a_view_count_as_activity(world, nine_to_five):
    nine_to_five.MISUSE_OUT_OF_HOURS_ACTIONS_PER_HOUR = 2
    children = [make_child(world, family_name=name) for name in NAMES[:3]]
    with time_machine.travel(NIGHT, tick=False):
        client = signed_in(world.alice)
        for child in children:  # ids only: no search, the record page never requested
            record_by_page(client, child, role="Youth worker")
    assert Alert.objects.get(raised_by=world.alice).kind == AlertKind.OUT_OF_HOURS
    queue = signed_in(world.lena).get(reverse("oversight:alerts")).content.decode()
    assert 'data-kind="out_of_hours"' in queue


def test_five_involvements_by_id_at_night_suspend_past_the_hard_threshold(world, nine_to_five):
    nine_to_five.MISUSE_OUT_OF_HOURS_ACTIONS_PER_HOUR = 2
    children = [make_child(world, family_name=name) for name in NAMES[:5]]
    with time_machine.travel(NIGHT, tick=False):
        client = signed_in(world.alice)
        for child in children:
            record_by_page(client, child, role="Youth worker")
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is not None  # 5 unseen looks: above 2 * 2
