"""Misuse alerts about an account the system administrator manages reach the system administrator.

Since session 16 only the system administrator looks after LA team members' accounts (suspend,
reinstate, close), but a misuse alert about an LA team member still went to their own LA team's queue:
the colleagues it reached could acknowledge it and nothing else (the account's page refuses them), and
the system administrator, who can act, was never told. A colluding colleague could clear it unseen. Now
such an alert is national: emailed to the system administrators and shown in their queue only, with a
link to the account's national page; the LA team neither sees it nor can acknowledge it.
"""

from django.core import mail
from django.urls import reverse

from accounts.models import Role
from administration.tests.support import administrator
from audit.models import AuditEvent
from audit.tags import AuditTag
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in
from tests.personas import make_child, make_user


def _own_surname_search(client):
    data = {"family_name": "Example", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}
    return client.post(reverse("children:search"), data, follow=True)


def test_a_misuse_alert_about_an_la_team_member_goes_to_the_system_administrators(
    world, django_capture_on_commit_callbacks
):
    simon = administrator(world)
    leah = make_user("leah", world.north, Role.LA_TEAM)  # Lena's colleague in the same LA team
    make_child(world, family_name="Example")
    with django_capture_on_commit_callbacks(execute=True):
        _own_surname_search(signed_in(world.lena))  # Lena Example, LA team: her own surname
    alert = Alert.objects.get()
    assert (alert.kind, alert.raised_by, alert.national) == (AlertKind.OWN_SURNAME_SEARCH, world.lena, True)
    assert alert.local_authority == world.north  # which LA the person works for, shown in the queue
    assert [m.to for m in mail.outbox] == [[simon.email]]

    national = signed_in(simon).get(reverse("oversight:alerts")).content.decode()
    assert "Alerts about accounts you manage" in national
    assert reverse("administration:account", args=[world.lena.pk]) in national
    assert "Searched for their own family name" in national

    colleague = signed_in(leah).get(reverse("oversight:alerts")).content.decode()
    assert "No alerts." in colleague
    refused = signed_in(leah).post(reverse("oversight:alert_acknowledge", args=[alert.pk]))
    assert refused.status_code == 403
    assert Alert.objects.get().acknowledged_at is None


def test_the_system_administrator_acknowledges_it_and_the_acknowledgement_is_audited(world):
    simon = administrator(world)
    make_child(world, family_name="Example")
    _own_surname_search(signed_in(world.lena))
    alert = Alert.objects.get()
    response = signed_in(simon).post(reverse("oversight:alert_acknowledge", args=[alert.pk]), follow=True)
    assert "Alert acknowledged" in response.content.decode()
    stored = Alert.objects.get()
    assert stored.acknowledged_by == simon
    assert AuditEvent.objects.filter(tag=AuditTag.AlertAcknowledged, actor=simon).exists()


def test_a_practitioners_alert_stays_with_their_la_team_and_the_administrator_cannot_touch_it(world):
    simon = administrator(world)
    make_child(world, family_name="Example")
    _own_surname_search(signed_in(world.alice))  # Alice Example, practitioner: her LA team's
    alert = Alert.objects.get()
    assert alert.national is False
    assert "No alerts." in signed_in(simon).get(reverse("oversight:alerts")).content.decode()
    assert signed_in(simon).post(reverse("oversight:alert_acknowledge", args=[alert.pk])).status_code == 403
    assert (
        "Searched for their own family name"
        in signed_in(world.lena).get(reverse("oversight:alerts")).content.decode()
    )


def test_an_administrator_never_acknowledges_an_alert_about_themselves(world):
    """Not reachable by misuse today (administrators neither search nor view records), but the rule
    that nobody clears an alert about themselves holds on the national queue too."""
    from oversight.services import alert_raise

    simon = administrator(world)
    alert = alert_raise(local_authority=None, kind=AlertKind.OUT_OF_HOURS, raised_by=simon, national=True)
    assert signed_in(simon).post(reverse("oversight:alert_acknowledge", args=[alert.pk])).status_code == 403
    assert Alert.objects.get().acknowledged_at is None


def test_the_navigation_counts_national_alerts_for_the_administrator_only(world):
    simon = administrator(world)
    make_child(world, family_name="Example")
    _own_surname_search(signed_in(world.lena))
    page = signed_in(simon).get(reverse("administration:home")).content.decode()
    assert 'id="nav-alerts"' in page and '1<span class="govuk-visually-hidden"> waiting' in page
    leah = make_user("leah", world.north, Role.LA_TEAM)
    assert "waiting</span>" not in signed_in(leah).get(reverse("team:users")).content.decode()
