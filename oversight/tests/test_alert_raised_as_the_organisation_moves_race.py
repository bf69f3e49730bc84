"""The move of an organisation raced against a misuse alert about one of its staff being written, on two
real PostgreSQL sessions: the move waits for the alert's transaction (which holds the organisation FOR KEY
SHARE once it has read the LA from it), so it never gathers the waiting alerts while one it cannot see yet
is on its way to the old LA's queue. Before, the move committed at once and the alert then went to the old
LA's team (`oversight/tests/test_alert_raised_as_the_organisation_moves.py` says why that matters)."""

import oversight.misuse
from accounts.models import Role, User
from administration.tests.support import administrator
from oversight.models import Alert
from oversight.tests.test_alert_raised_as_the_organisation_moves import (
    alerts_page,
    moved_to_south,
    own_surname_search,
)
from tests.concurrency import WAITED, paused_for, postgresql_race, waiting_at_most
from tests.journeys import signed_in
from tests.personas import build_world, make_user

pytestmark = postgresql_race()


def test_a_move_arriving_while_an_alert_is_written_waits_for_it_and_then_takes_it_along(monkeypatch):
    world = build_world()
    stella = make_user("stella", world.south, Role.LA_TEAM)
    alice = User.objects.select_related("organisation").get(pk=world.alice.pk)
    admin = signed_in(administrator(world))

    # Her screening is paused once the alert is written, before it commits; the move runs meanwhile.
    _, moved = paused_for(
        monkeypatch,
        oversight.misuse,
        "event_record",
        before=True,
        read=lambda: own_surname_search(alice),
        write=waiting_at_most(lambda: moved_to_south(world, admin)),
    )

    assert moved == WAITED  # it waited for the alert's transaction: nothing moved behind its back
    assert Alert.objects.get(raised_by=alice).local_authority_id == world.north.pk
    assert moved_to_south(world, admin) == 302  # the administrator saves again: the alert goes along
    assert Alert.objects.get(raised_by=alice).local_authority_id == world.south.pk
    assert "Searched for their own family name" in alerts_page(stella)
    assert "Searched for their own family name" not in alerts_page(world.lena)
