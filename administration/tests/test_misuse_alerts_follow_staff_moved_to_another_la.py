"""A practitioner's waiting misuse alerts go with them when the administrator puts their organisation in
another LA.

A misuse alert about a practitioner is for the LA team that manages their account (docs/SECURITY.md,
"Who an alert goes to"). Moving the practitioner's organisation to another LA moved the account's
management (the old team is refused on the account's page, the new one may suspend it) but left the
alerts waiting in the old team's queue: the old team could acknowledge them and not act on them, the new
team never saw them. Waiting misuse alerts about the organisation's staff now follow, audited by id. A
break-glass alert stays with the LA holding the child it is about, and an acknowledged alert stays where
it was dealt with.
"""

from django.urls import reverse

from accounts.models import Role
from administration.tests.support import administrator, organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag
from oversight.models import Alert, AlertKind
from oversight.services import alert_acknowledge, alert_raise
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child, make_user


def _alerts_page(user):
    return rendered(
        signed_in(user).get(reverse("oversight:alerts")), heading="Alerts for your local authority"
    )


def test_waiting_misuse_alerts_about_staff_follow_their_organisation_to_its_new_la(world):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    team = world.north_social_care  # alice works here
    waiting = alert_raise(
        local_authority=world.north, kind=AlertKind.OWN_SURNAME_SEARCH, raised_by=world.alice
    )
    dealt_with = alert_raise(
        local_authority=world.north, kind=AlertKind.BULK_SEARCHING, raised_by=world.alice
    )
    alert_acknowledge(alert=dealt_with, by=world.lena)
    child = make_child(world)  # North's
    override = alert_raise(
        local_authority=world.north, kind=AlertKind.SHIELD_OVERRIDE, raised_by=world.alice, child_id=child.pk
    )

    client = signed_in(administrator(world))
    data = organisation_form(
        world, kind="social_care", name=team.name, code=team.code, local_authority=str(world.south.pk)
    )
    assert client.post(reverse("administration:organisation_edit", args=[team.pk]), data).status_code == 302

    assert Alert.objects.get(pk=waiting.pk).local_authority_id == world.south.pk
    assert Alert.objects.get(pk=dealt_with.pk).local_authority_id == world.north.pk
    assert Alert.objects.get(pk=override.pk).local_authority_id == world.north.pk
    south = _alerts_page(stella)
    assert "Searched for their own family name" in south
    assert "Shielded record opened in an emergency" not in south
    north = _alerts_page(world.lena)
    assert "Searched for their own family name" not in north
    assert (
        "Unusually many searches in an hour" in north
    )  # acknowledged there: the record of who dealt with it
    assert "Shielded record opened in an emergency" in north
    [followed] = AuditEvent.objects.filter(tag=AuditTag.AlertsFollowed)
    assert followed.additional == {
        "organisation_id": team.pk,
        "from_la_id": world.north.pk,
        "to_la_id": world.south.pk,
        "alert_ids": [waiting.pk],
    }


def test_an_edit_that_keeps_the_organisation_in_its_la_moves_no_alert(world):
    team = world.north_social_care
    waiting = alert_raise(
        local_authority=world.north, kind=AlertKind.OWN_SURNAME_SEARCH, raised_by=world.alice
    )
    client = signed_in(administrator(world))
    data = organisation_form(world, kind="social_care", name="Northshire Family Services", code=team.code)
    assert client.post(reverse("administration:organisation_edit", args=[team.pk]), data).status_code == 302
    assert Alert.objects.get(pk=waiting.pk).local_authority_id == world.north.pk
    assert not AuditEvent.objects.filter(tag=AuditTag.AlertsFollowed).exists()


def test_moving_an_organisation_whose_staff_have_no_waiting_alert_records_no_move(world):
    team = world.north_social_care
    dealt_with = alert_raise(
        local_authority=world.north, kind=AlertKind.BULK_SEARCHING, raised_by=world.alice
    )
    alert_acknowledge(alert=dealt_with, by=world.lena)
    client = signed_in(administrator(world))
    data = organisation_form(
        world, kind="social_care", name=team.name, code=team.code, local_authority=str(world.south.pk)
    )
    assert client.post(reverse("administration:organisation_edit", args=[team.pk]), data).status_code == 302
    assert Alert.objects.get(pk=dealt_with.pk).local_authority_id == world.north.pk
    assert not AuditEvent.objects.filter(tag=AuditTag.AlertsFollowed).exists()


def test_the_new_la_team_acknowledges_a_followed_alert_and_the_old_one_cannot(world):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    team = world.north_social_care
    waiting = alert_raise(
        local_authority=world.north, kind=AlertKind.OWN_SURNAME_SEARCH, raised_by=world.alice
    )
    data = organisation_form(
        world, kind="social_care", name=team.name, code=team.code, local_authority=str(world.south.pk)
    )
    signed_in(administrator(world)).post(reverse("administration:organisation_edit", args=[team.pk]), data)
    url = reverse("oversight:alert_acknowledge", args=[waiting.pk])
    assert signed_in(world.lena).post(url).status_code == 403
    assert Alert.objects.get(pk=waiting.pk).acknowledged_at is None
    signed_in(stella).post(url)
    assert Alert.objects.get(pk=waiting.pk).acknowledged_by_id == stella.pk
