"""An invitation needs a current enhanced background check, as its page says.

The invitation page says "Only invite people ... whose enhanced background check is current", and the
policy refuses every request of someone whose check is 3 years old or more (`background_check_lapsed`).
The form took any date from 1990, so an account was made, and its link emailed, for someone whose check
had lapsed already: they chose a password and set up an authenticator, then every page refused them, and
nothing can record a renewed check, so the account could never be used (the team had to close it and
invite them again under another username). Training is different: a lapsed course sends the person to
it, and passing renews it, so an old training date is still taken.
"""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.dates import years_after
from accounts.models import User, background_check_lapses_on
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.invitations import invitation_form
from tests.journeys import signed_in
from tests.pages import rendered

NOT_CURRENT = "The enhanced background check must be from the last 3 years"


def _last_lapsed_day():
    """The latest check date that no longer counts today (its third anniversary, today or before)."""
    today = timezone.localdate()
    day = years_after(today, -3)
    while background_check_lapses_on(day) > today:  # only across a 29 February
        day -= timedelta(days=1)
    return day


def _invite(world, checked_on, trained_on=None):
    trained_on = trained_on or timezone.localdate() - timedelta(days=30)
    data = invitation_form(
        organisation=world.north_social_care.pk,
        background_check_day=checked_on.day,
        background_check_month=checked_on.month,
        background_check_year=checked_on.year,
        training_day=trained_on.day,
        training_month=trained_on.month,
        training_year=trained_on.year,
    )
    return signed_in(world.lena).post(reverse("team:invite"), data)


def test_a_background_check_that_has_lapsed_is_refused_and_nobody_is_invited(world):
    response = _invite(world, _last_lapsed_day())
    page = rendered(response, heading="Invite a user")
    assert NOT_CURRENT in page
    assert not User.objects.filter(username="ivy").exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.AccountInvited).exists()
    assert not mail.outbox


def test_a_background_check_still_current_for_a_day_is_taken(world):
    current = _last_lapsed_day() + timedelta(days=1)
    response = _invite(world, current)
    assert response.status_code == 302
    assert User.objects.get(username="ivy").background_check_on == current


def test_a_lapsed_training_date_is_still_taken_as_the_course_renews_it(world):
    today = timezone.localdate()
    response = _invite(world, today - timedelta(days=10), trained_on=years_after(today, -2))
    assert response.status_code == 302
    assert User.objects.filter(username="ivy").exists()
