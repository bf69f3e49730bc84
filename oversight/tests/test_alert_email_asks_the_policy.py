"""The alert email goes to whom the alert queue serves: the people the access policy lets see that
alert (`Permission.AlertView` with the alert), read after the commit, never to a list of its own.

It used to pick "LA team accounts of the LA's own organisation, active and not suspended" (or every active
system administrator): a member whose training or vetting had lapsed, whose agreement was unsigned or
whose organisation had closed was emailed about an alert whose queue refuses them, and a team member
whose account sits with a team organisation of the LA (whom the queue serves) was never told.
"""

import logging
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from access.permissions import Permission
from access.policy import decide
from accounts.models import Organisation, OrganisationKind, Role
from administration.tests.support import administrator
from oversight.alert_email import alert_email_send
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in
from tests.personas import make_child, make_user


def _own_surname_search(world, user, capture) -> list[list[str]]:
    """`user` (family name "Example") searches for their own family name: an alert, emailed at commit."""
    make_child(world, family_name="Example")
    data = {"family_name": "Example", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}
    with capture(execute=True):
        signed_in(user).post(reverse("children:search"), data, follow=True)
    assert Alert.objects.count() == 1
    return sorted(sorted(m.to) for m in mail.outbox if m.subject.startswith("ContactPoint alert"))


def test_a_team_member_the_policy_refuses_is_not_emailed_about_an_alert(
    world, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    lapsed = make_user("lapsed", world.north, Role.LA_TEAM, training_completed_on=today - timedelta(days=400))
    unvetted = make_user(
        "unvetted", world.north, Role.LA_TEAM, background_check_on=today - timedelta(days=4000)
    )
    unsigned = make_user("unsigned", world.north, Role.LA_TEAM, agreement_signed_on=None)
    make_user("closed", world.north, Role.LA_TEAM, is_active=False)
    make_user("suspended", world.north, Role.LA_TEAM, suspended_at=timezone.now())
    make_user("stella", world.south, Role.LA_TEAM)  # another LA's team
    for refused in (lapsed, unvetted, unsigned):  # the queue the email sends them to refuses them
        assert not decide(actor=refused, action=Permission.AlertView)
    assert _own_surname_search(world, world.alice, django_capture_on_commit_callbacks) == [
        ["lena@example.org"]
    ]


def test_a_team_member_of_a_team_organisation_of_the_la_is_emailed_as_the_queue_serves_them(
    world, django_capture_on_commit_callbacks
):
    team = Organisation.objects.create(
        kind=OrganisationKind.SOCIAL_CARE,
        name="Northshire ContactPoint Team",
        code="CPT-N",
        local_authority=world.north,
        accredited_on=world.north.accredited_on,
    )
    make_user("petra", team, Role.LA_TEAM)
    assert _own_surname_search(world, world.alice, django_capture_on_commit_callbacks) == [
        ["lena@example.org"],
        ["petra@example.org"],  # a message each: neither sees the other's address
    ]
    queue = (
        signed_in(make_user("paula", team, Role.LA_TEAM)).get(reverse("oversight:alerts")).content.decode()
    )
    assert "Searched for their own family name" in queue  # the queue the email points to serves them


def test_a_national_alert_reaches_only_the_administrators_the_policy_allows(
    world, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    administrator(world)
    administrator(world, "sasha", training_completed_on=today - timedelta(days=400))
    administrator(world, "sol", is_active=False)
    assert _own_surname_search(world, world.lena, django_capture_on_commit_callbacks) == [
        ["simon@example.org"]
    ]


def test_nobody_is_emailed_when_the_policy_refuses_the_whole_team_and_the_warning_names_the_alert_only(
    world, django_capture_on_commit_callbacks, caplog
):
    Organisation.objects.filter(pk=world.north.pk).update(closed_on=timezone.localdate())
    with caplog.at_level(logging.WARNING, logger="oversight.alert_email"):
        assert _own_surname_search(world, world.alice, django_capture_on_commit_callbacks) == []
    alert = Alert.objects.get()
    assert caplog.messages == [f"alert {alert.pk}: nobody may see it at present"]


def test_an_alert_gone_before_its_email_is_sent_emails_nobody(world):
    alert_email_send(alert_id=987654)
    assert mail.outbox == []


def test_an_la_alert_without_its_la_is_emailed_to_nobody_and_said(world, caplog):
    """No team's queue holds it (the policy refuses every team an alert of another LA): nobody is told, and
    the warning says so; a query "organisation is null" must not pick accounts without an organisation."""
    make_user("nora", world.north, Role.LA_TEAM)  # a North team member: not this alert's
    alert = Alert.objects.create(kind=AlertKind.BULK_VIEWING, raised_by=world.alice, local_authority=None)
    with caplog.at_level(logging.WARNING, logger="oversight.alert_email"):
        alert_email_send(alert_id=alert.pk)
    assert mail.outbox == []
    assert caplog.messages == [f"alert {alert.pk}: nobody may see it at present"]
