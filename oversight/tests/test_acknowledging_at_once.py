"""Two colleagues pressing Acknowledge on one alert at the same moment (PostgreSQL, two real sessions):
the first acknowledgement stands, the other changes nothing, and the audit holds exactly one event."""

import pytest

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from oversight.models import Alert, AlertKind
from oversight.services import alert_acknowledge
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_user

pytestmark = postgresql_race()


@pytest.mark.parametrize("attempt", range(3))
def test_two_colleagues_acknowledging_at_once_leave_one_acknowledgement_and_one_event(world, attempt):
    colleagues = [make_user(f"lars{attempt}", world.north, Role.LA_TEAM), world.lena]
    alert = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice
    )

    changed = run_together(2, lambda i: alert_acknowledge(alert=alert, by=colleagues[i]))

    assert sorted(changed) == [False, True]
    alert.refresh_from_db()
    assert alert.acknowledged_by == colleagues[changed.index(True)]
    events = AuditEvent.objects.filter(tag=AuditTag.AlertAcknowledged)
    assert [(e.actor_id, e.additional["alert_id"]) for e in events] == [(alert.acknowledged_by_id, alert.pk)]
