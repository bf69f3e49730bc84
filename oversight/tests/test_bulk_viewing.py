"""Bulk browsing: many distinct children's records viewed by one user in a rolling hour."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserSession
from accounts.services import suspension_reason_text
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.viewing import PurposeGrant, record_view_audit
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in, state_purpose
from tests.pages import headings
from tests.personas import make_child

GRANT = PurposeGrant(purpose="providing_service", detail_sealed=None)
NAMES = ["Thornton", "Begum", "Okafor", "Nowak", "Patel", "Hughes", "Murray", "Quinn"]


@pytest.fixture(autouse=True)
def _three_an_hour(settings):
    settings.MISUSE_VIEWS_PER_HOUR = 3
    settings.MISUSE_SUSPEND_FACTOR = 2
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = (
        100  # these views follow no search: that rule is tested apart
    )


@pytest.fixture
def children(world):
    return [make_child(world, family_name=name) for name in NAMES]


def _view(user, children):
    for child in children:
        record_view_audit(child=child, by=user, grant=GRANT, restricted=False)


def test_viewing_up_to_the_threshold_raises_nothing(world, children):
    _view(world.alice, children[:3])
    assert not Alert.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected).exists()


def test_viewing_the_same_child_again_is_not_counted_twice(world, children):
    _view(world.alice, [children[0]] * 5 + children[1:3])
    assert not Alert.objects.exists()


def test_viewing_more_than_the_threshold_alerts_the_users_la_team_and_is_audited(world, children):
    _view(world.alice, children[:4])
    alert = Alert.objects.get()
    assert (alert.kind, alert.local_authority, alert.raised_by) == (
        AlertKind.BULK_VIEWING,
        world.north,
        world.alice,
    )
    event = AuditEvent.objects.get(tag=AuditTag.MisuseSuspected)
    assert event.actor == world.alice
    assert event.additional == {
        "actor_role": "practitioner",
        "rule": "bulk_viewing",
        "alert_id": alert.pk,
        "count": 4,
        "per_hour": 3,
    }
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None


def test_the_bulk_viewing_alert_is_raised_once_an_hour_not_once_a_view(world, children):
    _view(world.alice, children[:6])
    assert Alert.objects.filter(kind=AlertKind.BULK_VIEWING).count() == 1


def test_views_older_than_an_hour_are_not_counted(world, children, monkeypatch):
    _view(world.alice, children[:3])
    later = timezone.now() + timedelta(minutes=61)
    monkeypatch.setattr("oversight.misuse.timezone", SimpleNamespace(now=lambda: later))
    _view(world.alice, children[3:4])
    assert not Alert.objects.exists()


def test_viewing_more_than_the_hard_threshold_suspends_the_account_and_ends_its_sessions(world, children):
    other_device = signed_in(world.alice)
    _view(world.alice, children[:7])
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is not None
    assert "bulk_viewing" in suspension_reason_text(world.alice)
    assert not UserSession.objects.filter(user=world.alice).exists()
    response = other_device.get(reverse("children:search"))  # the session on another device has ended
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    suspended = AuditEvent.objects.get(tag=AuditTag.AccountSuspended)
    assert suspended.actor is None
    assert suspended.additional["by_system"] is True
    assert suspended.additional["user_id"] == world.alice.pk
    alert = Alert.objects.get(kind=AlertKind.ACCOUNT_AUTO_SUSPENDED)
    assert alert.local_authority == world.north
    signals = AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected).order_by("id")
    assert [e.additional.get("suspended", False) for e in signals] == [False, True]
    assert signals[1].additional["alert_id"] == alert.pk


def test_a_suspended_account_is_not_suspended_again(world, children):
    _view(world.alice, children)
    assert AuditEvent.objects.filter(tag=AuditTag.AccountSuspended).count() == 1
    assert Alert.objects.filter(kind=AlertKind.ACCOUNT_AUTO_SUSPENDED).count() == 1


def test_the_record_page_that_crosses_the_hard_threshold_is_refused_and_signs_the_user_out(world, children):
    _view(world.alice, children[:6])
    client = signed_in(world.alice)
    state_purpose(client, children[6])
    response = client.get(reverse("children:record", args=[children[6].pk]))
    assert response.status_code == 403
    assert headings(response.content.decode()) == ["You cannot do this"]
    assert b"Murray" not in response.content  # the record that crossed the threshold is not shown
    assert b"suspended" in response.content
    assert not Session.objects.exists()
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.alice).exists()
    assert client.get(reverse("children:search")).status_code == 302  # signed out: back to sign-in


def test_the_manager_is_told_the_suspension_was_automatic_without_any_childs_details(
    world, children, django_capture_on_commit_callbacks
):
    from django.core import mail

    world.alice.manager_email = "manager@example.org"
    world.alice.save(update_fields=["manager_email"])
    with django_capture_on_commit_callbacks(execute=True):  # the email goes out once the suspension commits
        _view(world.alice, children[:7])
    told = [m for m in mail.outbox if m.to == ["manager@example.org"]]
    assert len(told) == 1
    assert "suspended automatically by ContactPoint" in told[0].body
    assert not any(name in told[0].body for name in NAMES)
