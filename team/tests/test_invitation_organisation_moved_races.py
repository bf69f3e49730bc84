"""An invitation and a move of its organisation to another LA at the same moment (PostgreSQL, two real
sessions): the move committed first refuses the account; a move coming after waits for the account."""

from accounts import services
from accounts.models import Organisation, User
from tests.concurrency import WAITED, paused_for, postgresql_race, waiting_at_most
from tests.invitations import north_invitation_checked

pytestmark = postgresql_race()


def _moved_south(world):
    return lambda: Organisation.objects.filter(pk=world.north_social_care.pk).update(
        local_authority=world.south
    )


def test_a_move_committed_before_the_organisation_is_held_refuses_the_account(world, monkeypatch):
    form = north_invitation_checked(world)

    invited, moved = paused_for(
        monkeypatch,
        services,
        "organisation_held_in",
        read=form.invite,
        write=_moved_south(world),
        before=True,
    )

    assert moved == 1 and invited is None
    assert "no longer in your local authority" in form.errors["organisation"][0]
    assert not User.objects.filter(username="ivy").exists()


def test_a_move_after_the_organisation_is_held_waits_for_the_account(world, monkeypatch):
    form = north_invitation_checked(world)

    invited, moved = paused_for(
        monkeypatch,
        services,
        "organisation_held_in",
        read=form.invite,
        write=waiting_at_most(_moved_south(world)),
    )

    assert moved == WAITED and invited is not None
    assert User.objects.get(username="ivy").organisation_id == world.north_social_care.pk
    assert Organisation.objects.get(pk=world.north_social_care.pk).local_authority_id == world.north.pk
