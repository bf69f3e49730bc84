"""An invitation and its organisation's closure or de-accreditation at the same moment (PostgreSQL, two
real sessions): one committed before the organisation is held refuses the account; one coming after
waits for the account (which was made while the organisation could still take it)."""

from django.utils import timezone

from accounts import services
from accounts.models import Organisation, User
from tests.concurrency import WAITED, paused_for, postgresql_race, waiting_at_most
from tests.invitations import north_invitation_checked

pytestmark = postgresql_race()


def _closed(world):
    return lambda: Organisation.objects.filter(pk=world.north_social_care.pk).update(
        closed_on=timezone.localdate()
    )


def _de_accredited(world):
    return lambda: Organisation.objects.filter(pk=world.north_social_care.pk).update(accredited_on=None)


def test_a_closure_committed_before_the_organisation_is_held_refuses_the_account(world, monkeypatch):
    form = north_invitation_checked(world)

    invited, closed = paused_for(
        monkeypatch, services, "organisation_held_in", read=form.invite, write=_closed(world), before=True
    )

    assert closed == 1 and invited is None
    assert form.errors["organisation"] == ["This organisation has closed: choose another"]
    assert not User.objects.filter(username="ivy").exists()


def test_a_de_accreditation_committed_before_the_organisation_is_held_refuses_the_account(world, monkeypatch):
    form = north_invitation_checked(world)

    invited, taken = paused_for(
        monkeypatch,
        services,
        "organisation_held_in",
        read=form.invite,
        write=_de_accredited(world),
        before=True,
    )

    assert taken == 1 and invited is None
    assert form.errors["organisation"] == ["This organisation is no longer accredited: choose another"]
    assert not User.objects.filter(username="ivy").exists()


def test_a_closure_after_the_organisation_is_held_waits_for_the_account(world, monkeypatch):
    form = north_invitation_checked(world)

    invited, closed = paused_for(
        monkeypatch,
        services,
        "organisation_held_in",
        read=form.invite,
        write=waiting_at_most(_closed(world)),
    )

    assert closed == WAITED and invited is not None
    assert User.objects.get(username="ivy").organisation_id == world.north_social_care.pk
    assert Organisation.objects.get(pk=world.north_social_care.pk).closed_on is None
