"""A waiting break-glass alert about a shielded child follows the child to the LA team that accepts its
transfer, in the accept's transaction, audited by id; an acknowledged one stays where it was dealt with.

Review (oversight, helper 1): the alert stayed with the team the child had left, which could no longer
act on the record, and the team now holding the shielded child never saw that its record had been opened.
"""

from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.override import shield_override
from lifecycle.moves import transfer_accept, transfer_request
from oversight.models import Alert, AlertKind
from oversight.services import alert_acknowledge
from tests.journeys import signed_in
from tests.personas import make_child, make_user

REASON = "Section 47 strategy meeting tonight"


def _queue(user) -> str:
    return signed_in(user).get(reverse("oversight:alerts")).content.decode()


def test_a_waiting_break_glass_alert_follows_the_child_to_the_team_accepting_it(world, shielded_child):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    shield_override(child=shielded_child, by=world.olivia, reason=REASON)
    alert = Alert.objects.get(kind=AlertKind.SHIELD_OVERRIDE)
    transfer = transfer_request(child=shielded_child, to_la=world.south, by=world.lena, reason="Family moved")
    assert transfer_accept(transfer=transfer, by=stella)
    alert.refresh_from_db()
    assert alert.local_authority == world.south
    south = _queue(stella)
    assert 'data-kind="shield_override"' in south
    assert REASON in south
    north = _queue(world.lena)
    assert 'data-kind="shield_override"' not in north
    assert REASON not in north
    followed = AuditEvent.objects.get(tag=AuditTag.AlertsFollowedChild)
    assert followed.actor == stella
    assert followed.child_id is None  # ids only, and nothing filed under the child
    assert followed.additional == {
        "actor_role": "la_team",
        "transfer_id": str(transfer.pk),
        "from_la_id": world.north.pk,
        "to_la_id": world.south.pk,
        "alert_ids": [alert.pk],
    }


def test_an_acknowledged_break_glass_alert_stays_with_the_team_that_dealt_with_it(world, shielded_child):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    shield_override(child=shielded_child, by=world.olivia, reason=REASON)
    alert = Alert.objects.get(kind=AlertKind.SHIELD_OVERRIDE)
    assert alert_acknowledge(alert=alert, by=world.lena)
    transfer = transfer_request(child=shielded_child, to_la=world.south, by=world.lena, reason="Family moved")
    assert transfer_accept(transfer=transfer, by=stella)
    alert.refresh_from_db()
    assert alert.local_authority == world.north
    assert not AuditEvent.objects.filter(tag=AuditTag.AlertsFollowedChild).exists()
    assert "Acknowledged by Lena Example" in _queue(world.lena)


def test_only_the_transferred_childs_break_glass_alerts_move(world, shielded_child):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    other = make_child(world, family_name="Begum", shielded=True)
    shield_override(child=shielded_child, by=world.olivia, reason=REASON)
    shield_override(child=other, by=world.olivia, reason="Another emergency")
    misuse = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice
    )
    transfer = transfer_request(child=shielded_child, to_la=world.south, by=world.lena, reason="Family moved")
    assert transfer_accept(transfer=transfer, by=stella)
    assert Alert.objects.get(child_id=shielded_child.pk).local_authority == world.south
    assert Alert.objects.get(child_id=other.pk).local_authority == world.north
    misuse.refresh_from_db()
    assert misuse.local_authority == world.north
