"""A misuse alert raised while the administrator puts the person's organisation in another LA goes to the
new LA's team, as the alerts already waiting do (`alerts_follow_staff`).

The screening took the person's LA from the account their request loaded at its start, and nothing held
their organisation: an alert raised after the move committed, or written but not yet committed while the
move gathered the waiting alerts (it could not see it), went to the old LA's team, who no longer manage the
account, and the new team never saw it: the finding session 31 fixed for the alerts already waiting, by
another road. The LA is now read under a hold of the organisation (FOR KEY SHARE, after the account's row,
as every writer takes them), so the move either waits for the alert (and then moves it) or came first
and is read.
"""

from django.urls import reverse

from accounts.models import Role, User
from administration.tests.support import administrator, organisation_form
from oversight.misuse import search_screen
from oversight.models import Alert
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import World, make_user


def moved_to_south(world: World, client) -> object:
    team = world.north_social_care
    data = organisation_form(
        world, kind="social_care", name=team.name, code=team.code, local_authority=str(world.south.pk)
    )
    return client.post(reverse("administration:organisation_edit", args=[team.pk]), data).status_code


def own_surname_search(alice: User) -> None:
    search_screen(user=alice, family_name=alice.last_name, too_many=False, search_event_id=1)


def alerts_page(user):
    return rendered(
        signed_in(user).get(reverse("oversight:alerts")), heading="Alerts for your local authority"
    )


def test_an_alert_raised_by_a_request_that_began_before_the_move_goes_to_the_new_la_team(world):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    alice = User.objects.select_related("organisation").get(pk=world.alice.pk)  # as her request loaded her
    assert moved_to_south(world, signed_in(administrator(world))) == 302

    own_surname_search(alice)  # her search, screened once the move has committed

    assert Alert.objects.get(raised_by=alice).local_authority_id == world.south.pk
    assert "Searched for their own family name" in alerts_page(stella)
    assert "Searched for their own family name" not in alerts_page(world.lena)
