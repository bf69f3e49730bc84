"""The LA team's alert queue: misuse alerts shown, and acknowledged by that LA's team only."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.override import shield_override
from oversight.models import CHILD_ALERT_KINDS, Alert, AlertKind
from oversight.services import ACKNOWLEDGED_SHOWN, alerts_unacknowledged_count
from tests.journeys import signed_in
from tests.personas import make_user


@pytest.fixture
def alert(world):
    return Alert.objects.create(
        local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice
    )


def _acknowledge(user, alert):
    return signed_in(user).post(reverse("oversight:alert_acknowledge", args=[alert.pk]))


@pytest.mark.parametrize("kind", [k for k in AlertKind if k not in CHILD_ALERT_KINDS])
def test_the_queue_shows_every_misuse_alert_kind(world, kind):
    Alert.objects.create(local_authority=world.north, kind=kind, raised_by=world.alice)
    response = signed_in(world.lena).get(reverse("oversight:alerts"))
    assert kind.label.encode() in response.content
    assert reverse("team:user", args=[world.alice.pk]).encode() in response.content
    assert reverse("oversight:alert_acknowledge", args=[Alert.objects.get().pk]).encode() in response.content


def test_the_la_team_acknowledges_an_alert_and_it_is_audited(world, alert):
    response = _acknowledge(world.lena, alert)
    assert response.status_code == 302
    assert response["Location"] == reverse("oversight:alerts")
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.lena
    assert alert.acknowledged_at is not None
    event = AuditEvent.objects.get(tag=AuditTag.AlertAcknowledged)
    assert (event.actor, event.additional) == (
        world.lena,
        {"actor_role": "la_team", "alert_id": alert.pk, "kind": "bulk_viewing"},
    )
    page = signed_in(world.lena).get(reverse("oversight:alerts"))
    assert b"Acknowledged by Lena Example" in page.content


def test_acknowledging_twice_keeps_the_first_and_audits_once(world, alert):
    colleague = make_user("lars", world.north, Role.LA_TEAM)
    _acknowledge(world.lena, alert)
    assert _acknowledge(colleague, alert).status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.lena
    assert AuditEvent.objects.filter(tag=AuditTag.AlertAcknowledged).count() == 1


def test_another_las_team_is_refused_and_the_refusal_is_audited(world, alert):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    assert _acknowledge(stella, alert).status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    refusal = AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor=stella)
    assert refusal.additional == {
        "actor_role": "la_team",
        "action": "oversight:alert:acknowledge",
        "reason": "other_la",
    }


@pytest.mark.parametrize("name", ["alice", "dara", "nadia", "sam", "tom"])
def test_wrong_role_suspended_or_lapsed_users_cannot_acknowledge(world, alert, name):
    assert _acknowledge(getattr(world, name), alert).status_code == (302 if name == "tom" else 403)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    assert not AuditEvent.objects.filter(tag=AuditTag.AlertAcknowledged).exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"suspended_at": timezone.now()},
        {"training_completed_on": date(2000, 1, 1)},
        {"background_check_on": date(2000, 1, 1)},
    ],
    ids=["suspended", "training_lapsed", "background_check_lapsed"],
)
def test_an_la_team_member_who_is_suspended_or_lapsed_cannot_acknowledge(world, alert, overrides):
    member = make_user("lars", world.north, Role.LA_TEAM, **overrides)
    lapsed_training = "training_completed_on" in overrides  # sent to the course instead
    assert _acknowledge(member, alert).status_code == (302 if lapsed_training else 403)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_acknowledge_is_post_only(world, alert):
    assert (
        signed_in(world.lena).get(reverse("oversight:alert_acknowledge", args=[alert.pk])).status_code == 405
    )


def test_an_unknown_alert_is_not_found(world):
    assert (
        signed_in(world.lena).post(reverse("oversight:alert_acknowledge", args=[999999])).status_code == 404
    )


def test_an_alert_describes_itself_by_id_and_kind_only(world, alert):
    """Its text appears in logs and the admin, so it names no person and no child."""
    alert.child_id = "6f1d1c9e-2b39-4f51-9d0a-4f7c1e2a9b10"
    assert str(alert) == f"Alert {alert.pk} (bulk_viewing)"
    assert "alice" not in str(alert)
    assert alert.child_id not in str(alert)


def _acknowledged_alerts(world, count: int) -> None:
    """Colleagues called Example search Examples every day: each search alerts, and each is cleared."""
    now = timezone.now()
    Alert.objects.bulk_create(
        Alert(
            local_authority=world.north,
            kind=AlertKind.OWN_SURNAME_SEARCH,
            raised_by=world.alice,
            acknowledged_by=world.lena,
            acknowledged_at=now,
        )
        for _ in range(count)
    )


def test_an_unacknowledged_override_alert_is_not_pushed_off_the_queue_by_later_acknowledged_ones(
    world, shielded_child
):
    shield_override(child=shielded_child, by=world.olivia, reason="Synthetic: child reported missing tonight")
    override = Alert.objects.get()
    Alert.objects.filter(pk=override.pk).update(raised_at=timezone.now() - timedelta(days=3))
    _acknowledged_alerts(world, ACKNOWLEDGED_SHOWN + 5)
    assert alerts_unacknowledged_count(local_authority_id=world.north.pk) == 1
    page = signed_in(world.lena).get(reverse("oversight:alerts")).content.decode()
    assert reverse("oversight:alert_acknowledge", args=[override.pk]) in page, (
        "the navigation says 1 alert waits, but the queue does not show it"
    )
    assert "Reason given: &ldquo;Synthetic: child reported missing tonight&rdquo;" in page
    assert "".join(_all_pages(world)).count('data-kind="own_surname_search"') == ACKNOWLEDGED_SHOWN


def _all_pages(world) -> list[str]:
    """Every page of the LA team's queue (`ALERTS_PER_PAGE` alerts each), in order."""
    client = signed_in(world.lena)
    pages = [client.get(reverse("oversight:alerts")).content.decode()]
    while 'rel="next"' in pages[-1]:
        pages.append(client.get(reverse("oversight:alerts"), {"page": len(pages) + 1}).content.decode())
    return pages


def test_every_waiting_alert_is_shown_before_the_newest_acknowledged_ones(world):
    old = timezone.now() - timedelta(days=30)
    waiting = Alert.objects.bulk_create(
        Alert(local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice)
        for _ in range(ACKNOWLEDGED_SHOWN + 5)
    )
    Alert.objects.filter(pk__in=[a.pk for a in waiting]).update(raised_at=old)
    _acknowledged_alerts(world, 3)
    page = "".join(_all_pages(world))
    rows = [line for line in page.splitlines() if "data-kind=" in line]
    assert len(rows) == ACKNOWLEDGED_SHOWN + 5 + 3
    assert all('"bulk_viewing"' in row for row in rows[: ACKNOWLEDGED_SHOWN + 5])  # waiting, though older
    assert page.count(">Acknowledge<") == ACKNOWLEDGED_SHOWN + 5
