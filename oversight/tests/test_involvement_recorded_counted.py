"""Recording an involvement is a look at the record: the viewing rules count it, screened as it is written.

Review (oversight, helper 1): a purpose stated by id, an involvement recorded (its redirect not followed),
and the matches inbox then named the child and the practitioners working with it; no record view was
written and nothing the viewing rules count, so children opened so by the dozen raised no alert. An
involvement with a child the person never found by a search nor opened is an unexplained look; one
recorded after either is judged by that first look.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.selectors import child_details
from coordination.tests.support import inbox_page, record, record_by_page, school_teacher
from oversight.misuse import OUTSIDE_HOME_LA
from oversight.models import Alert, AlertKind
from oversight.tests.support import DISTINCT_FAMILY_NAMES as NAMES
from reports.tests.reporting import searched
from tests.journeys import signed_in
from tests.personas import make_child

MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday, working hours


@pytest.fixture
def morning():
    with time_machine.travel(MORNING, tick=False) as clock:
        yield clock


def test_six_children_given_an_involvement_by_id_alert_as_unexplained_looks(world, morning):
    carol = school_teacher(world)
    children = [make_child(world, family_name=name, given_names="Zed") for name in NAMES[:6]]
    for child in children:
        record(child, carol, role="Class teacher")
    client = signed_in(world.alice)
    for child in children:  # ids only: no search, and the record page is never requested
        record_by_page(client, child, role="Youth worker")
    assert not AuditEvent.objects.filter(actor=world.alice, tag=AuditTag.RecordViewed).exists()
    assert Alert.objects.get(raised_by=world.alice).kind == AlertKind.UNEXPLAINED_VIEWS
    queue = signed_in(world.lena).get(reverse("oversight:alerts")).content.decode()
    assert "Unusually many records viewed without a search or an involvement" in queue
    assert reverse("team:user", args=[world.alice.pk]) in queue
    assert "Zed Patel" in inbox_page(world.alice), "under the hard threshold the inbox still answers"


def test_eleven_children_given_an_involvement_by_id_suspend_before_the_inbox_names_them(world, morning):
    carol = school_teacher(world)
    children = [make_child(world, family_name=name, given_names="Zed") for name in NAMES]
    for child in children:
        record(child, carol, role="Class teacher")
    client = signed_in(world.alice)
    for child in children:
        record_by_page(client, child, role="Youth worker")
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is not None
    assert Alert.objects.filter(raised_by=world.alice, kind=AlertKind.ACCOUNT_AUTO_SUSPENDED).exists()
    inbox = signed_in(world.alice).get(reverse("coordination:inbox"))
    assert inbox.status_code == 403
    assert "Zed Walsh" not in inbox.content.decode()


def test_an_involvement_with_a_child_the_person_searched_for_is_explained(world, morning, settings, child):
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = 0
    assert searched(world.alice) == [child]
    record_by_page(signed_in(world.alice), child)
    assert not Alert.objects.filter(kind=AlertKind.UNEXPLAINED_VIEWS).exists()


def test_an_involvement_after_opening_the_record_adds_no_second_look(world, morning, settings, child):
    """The record view is the first look and is judged (here, found by a search); the involvement after it
    is the same child: distinct children are counted, so one child is one look."""
    settings.MISUSE_VIEWS_PER_HOUR = 1
    assert searched(world.alice) == [child]
    client = signed_in(world.alice)
    record_by_page(client, child)
    assert client.get(reverse("children:record", args=[child.pk])).status_code == 200
    assert not Alert.objects.exists()


def test_involvements_count_toward_bulk_viewing(world, morning, settings):
    settings.MISUSE_VIEWS_PER_HOUR = 2
    children = [make_child(world, family_name=name) for name in NAMES[:3]]
    for child in children:
        assert searched(world.alice, family_name=name_of(child)) == [child]
    client = signed_in(world.alice)
    for child in children:
        record_by_page(client, child)
    assert Alert.objects.get(raised_by=world.alice).kind == AlertKind.BULK_VIEWING


def test_an_involvement_with_another_las_child_is_marked_and_counted_outside_la(world, morning, settings):
    settings.MISUSE_VIEWS_OUTSIDE_LA_PER_HOUR = 1
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = 100
    client = signed_in(world.alice)
    for name in ("Begum", "Okafor"):
        record_by_page(client, make_child(world, family_name=name, la=world.south))
    marked = AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded, actor=world.alice)
    assert [event.additional.get(OUTSIDE_HOME_LA) for event in marked] == [True, True]
    assert set(Alert.objects.filter(raised_by=world.alice).values_list("kind", flat=True)) == {
        AlertKind.VIEWS_OUTSIDE_LA
    }
    record_by_page(client, make_child(world, family_name="Nowak", la=world.north))
    assert (
        not AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded, actor=world.alice)
        .latest("pk")
        .additional.get(OUTSIDE_HOME_LA)
    )


def name_of(child) -> str:
    return child_details(child).family_name
