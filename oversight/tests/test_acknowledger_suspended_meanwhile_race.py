"""An acknowledgement raced against the suspension of the person acknowledging, on two real PostgreSQL
sessions: a suspension committed after the page's check stops the acknowledgement, and one arriving while
the acknowledgement is being written waits for it. Before, `alert_acknowledge` locked only the alert, so
either way the alert was cleared and credited to a suspended account."""

from django.utils import timezone

import oversight.services
from accounts.models import Role, User
from accounts.services import ActorCannotAct, account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from oversight.models import Alert, AlertKind
from tests.concurrency import WAITED, paused_for, postgresql_race, waiting_at_most
from tests.personas import World, build_world, make_user

pytestmark = postgresql_race()

REASON = "Synthetic reason"


def _alert_and_administrator(world: World) -> tuple[Alert, User]:
    national = world.nadia.organisation
    assert national is not None
    alert = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice
    )
    return alert, make_user("ada", national, Role.SYSTEM_ADMIN)


def _acknowledged_by_lena(alert: Alert, lena: User) -> object:
    try:
        return oversight.services.alert_acknowledge(alert=alert, by=lena)
    except ActorCannotAct:
        return "refused"


def test_a_suspension_committed_after_the_page_checked_the_acknowledger_stops_the_acknowledgement(
    monkeypatch,
):
    world = build_world()
    alert, admin = _alert_and_administrator(world)
    lena = User.objects.select_related("organisation").get(pk=world.lena.pk)  # as her page read her

    acknowledged, suspended = paused_for(
        monkeypatch,
        oversight.services,
        "alert_acknowledge",
        before=True,
        read=lambda: _acknowledged_by_lena(alert, lena),
        write=lambda: account_suspend(user=User.objects.get(pk=lena.pk), by=admin, reason=REASON),
    )

    assert (suspended, acknowledged) == (True, "refused")
    assert Alert.objects.get(pk=alert.pk).acknowledged_at is None
    assert not AuditEvent.objects.filter(tag=AuditTag.AlertAcknowledged).exists()


def test_a_suspension_arriving_while_the_acknowledgement_is_written_waits_for_it(monkeypatch):
    world = build_world()
    alert, admin = _alert_and_administrator(world)
    lena = User.objects.select_related("organisation").get(pk=world.lena.pk)

    acknowledged, suspended = paused_for(
        monkeypatch,
        oversight.services,
        "event_record",
        before=True,
        read=lambda: _acknowledged_by_lena(alert, lena),
        write=waiting_at_most(
            lambda: account_suspend(user=User.objects.get(pk=lena.pk), by=admin, reason=REASON)
        ),
    )

    assert (acknowledged, suspended) == (True, WAITED)
    stored = Alert.objects.get(pk=alert.pk)
    assert stored.acknowledged_by_id == lena.pk and stored.acknowledged_at is not None
    assert User.objects.get(pk=lena.pk).suspended_at is None
    assert stored.acknowledged_at <= timezone.now()
