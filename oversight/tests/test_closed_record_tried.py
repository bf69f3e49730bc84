"""A try at a record closed for a new identity (an adoption, witness protection) by anyone but the LA team
holding it alerts that team at once, naming only the record's id and who tried: someone who kept the old
id is looking for a child whose new identity exists to keep them apart.

Review (oversight, helper 1): each try was refused and audited under the child, and nobody was told.
The refusal sites call `oversight.misuse.refusal_screen` with the child as they read it; these tests write
the refusal as they do and call it.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from children.selectors import child_details
from oversight.misuse import refusal_record
from oversight.models import Alert, AlertKind
from oversight.rules import Rule
from oversight.services import alerts_follow_staff
from tests.journeys import signed_in
from tests.personas import make_child, make_user

MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def morning():
    with time_machine.travel(MORNING, tick=False) as clock:
        yield clock


@pytest.fixture
def closed(world):
    child = make_child(world, family_name="Thornton", postcode="LS1 4AB")
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    child.refresh_from_db()
    return child


def _tried(user, child, reason="no_such_record"):
    refusal_record(actor=user, child_id=child.pk, additional={"reason": reason}, child=child)


def test_a_try_by_another_las_practitioner_alerts_the_team_holding_the_record(world, morning, closed):
    _tried(world.bob, closed)  # South Street Surgery: another LA's GP
    alert = Alert.objects.get()
    assert (alert.kind, alert.local_authority, alert.child_id, alert.raised_by, alert.national) == (
        AlertKind.CLOSED_RECORD_TRIED,
        world.north,
        closed.pk,
        world.bob,
        False,
    )
    assert alert.reason_sealed == ""
    signal = AuditEvent.objects.get(tag=AuditTag.MisuseSuspected)
    assert signal.actor == world.bob
    assert signal.additional["rule"] == Rule.CLOSED_RECORD_TRIED
    assert signal.additional["alert_id"] == alert.pk


def test_the_queue_names_the_records_id_and_who_tried_and_nothing_about_the_child(world, morning, closed):
    details = child_details(closed)
    _tried(world.bob, closed)
    page = signed_in(world.lena).get(reverse("oversight:alerts")).content.decode()
    assert "A record closed for a new identity was tried" in page
    assert str(closed.pk) in page
    assert "Bob Example" in page
    assert details.family_name not in page
    assert closed.index_number not in page
    assert "LS1 4AB" not in page
    # not a link into the record (it is closed) nor to an account another LA manages
    assert reverse("children:purpose", args=[closed.pk]) not in page
    assert reverse("team:user", args=[world.bob.pk]) not in page


def test_the_team_holding_the_record_trying_it_raises_nothing(world, morning, closed):
    _tried(world.lena, closed)
    assert not Alert.objects.exists()


def test_another_las_team_trying_it_alerts_the_team_holding_it_not_the_system_administrator(
    world, morning, closed
):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    _tried(stella, closed)
    alert = Alert.objects.get(kind=AlertKind.CLOSED_RECORD_TRIED)
    assert (alert.local_authority, alert.national) == (world.north, False)


def test_repeated_tries_at_one_record_alert_once_an_hour_and_another_record_alerts_again(
    world, morning, closed
):
    for _ in range(3):
        _tried(world.bob, closed)
    assert Alert.objects.filter(kind=AlertKind.CLOSED_RECORD_TRIED).count() == 1
    other = make_child(world, family_name="Begum")
    Child.objects.filter(pk=other.pk).update(status=RecordStatus.CLOSED)
    other.refresh_from_db()
    _tried(world.bob, other)
    assert Alert.objects.filter(kind=AlertKind.CLOSED_RECORD_TRIED).count() == 2
    morning.shift(timedelta(minutes=61))
    _tried(world.bob, closed)
    assert Alert.objects.filter(kind=AlertKind.CLOSED_RECORD_TRIED).count() == 3


def test_an_archived_record_tried_raises_no_immediate_alert(world, morning, child):
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    child.refresh_from_db()
    _tried(world.bob, child)
    assert not Alert.objects.exists()


def test_the_alert_stays_with_the_team_holding_the_record_when_the_tryers_organisation_moves(
    world, morning, closed
):
    """About a record, for the LA holding it, as a break-glass alert is: not moved with the person's staff."""
    _tried(world.alice, closed)
    assert (
        alerts_follow_staff(
            organisation_id=world.north_social_care.pk, from_la_id=world.north.pk, to_la_id=world.south.pk
        )
        == []
    )
    assert Alert.objects.get().local_authority == world.north
