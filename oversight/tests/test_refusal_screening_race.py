"""Refusals made at the same moment (several sessions, a script) are each counted against the others, and a
break-glass alert raised as the child's transfer is accepted ends with the team holding it (PostgreSQL)."""

import pytest

from accounts.models import Role, User
from children.models import Child, RecordStatus
from children.override import shield_override
from lifecycle.moves import transfer_accept, transfer_request
from oversight.misuse import refusal_record
from oversight.models import Alert, AlertKind
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_child, make_user

pytestmark = postgresql_race()

BURST = 40  # past the refused look-ups rule's hard threshold (30)


def _refused(user: User, child: Child | None = None) -> None:
    refusal_record(
        actor=user,
        child_id=child.pk if child else None,
        additional={"reason": "closed" if child else "no_such_record"},
        child=child,
    )


@pytest.mark.parametrize("attempt", range(3))
def test_a_burst_of_simultaneous_made_up_ids_suspends_and_alerts_once(world, attempt):
    user = make_user(f"prober{attempt}", world.north_social_care)
    run_together(BURST, lambda i: _refused(user))
    user.refresh_from_db()
    assert user.suspended_at is not None
    assert Alert.objects.filter(raised_by=user, kind=AlertKind.REFUSED_LOOKUPS).count() == 1
    assert Alert.objects.filter(raised_by=user, kind=AlertKind.ACCOUNT_AUTO_SUSPENDED).count() == 1


@pytest.mark.parametrize("attempt", range(3))
def test_simultaneous_tries_at_one_closed_record_alert_its_team_once(world, attempt):
    user = make_user(f"kept{attempt}", world.south_gp)
    closed = make_child(world, family_name="Thornton")
    Child.objects.filter(pk=closed.pk).update(status=RecordStatus.CLOSED)
    closed.refresh_from_db()
    run_together(8, lambda i: _refused(user, closed))
    tried = Alert.objects.filter(kind=AlertKind.CLOSED_RECORD_TRIED)
    assert [(a.child_id, a.local_authority_id) for a in tried] == [(closed.pk, world.north.pk)]


def _override(child: Child, by: User) -> str:
    shield_override(child=child, by=by, reason="Synthetic emergency")
    return "opened"


@pytest.mark.parametrize("attempt", range(3))
def test_a_break_glass_made_as_the_transfer_is_accepted_ends_with_the_team_holding_the_child(
    world, shielded_child, attempt
):
    stella = make_user(f"stella{attempt}", world.south, Role.LA_TEAM)
    transfer = transfer_request(child=shielded_child, to_la=world.south, by=world.lena, reason="Family moved")
    outcome = run_together(
        2,
        lambda i: (
            _override(shielded_child, world.olivia)
            if i == 0
            else transfer_accept(transfer=transfer, by=stella)
        ),
    )
    assert outcome[1] is True
    waiting = Alert.objects.filter(kind=AlertKind.SHIELD_OVERRIDE)
    assert outcome[0] == "opened"
    assert [a.local_authority_id for a in waiting] == [world.south.pk]
