"""Correcting a mistyped invitation email address (docs/DECISIONS.md section 19, "Left").

Before, an invitation sent to a mistyped address could only be closed and the person invited again (the
address was refused as "in use" by the waiting account). Now, on an account still waiting for its
invitation, the LA team (for their LA's accounts) and the national administrator correct the address and
send a new link to it in one action, from the account's page: the policy, step-up, the same address checks
as the invitation form, the locks of `invitation_resend`, an audit event that names no address, the
earlier link stopped, and the outcome in words (the email not sent included). Refused in words for an
account that accepted, is closed or suspended, or whose organisation closed; by the policy for another
LA's account (also when it moved there meanwhile) or a role without account management.
"""

import re
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Role, User
from accounts.services import account_close, account_suspend
from accounts.tests.invitations import ACCEPT, ivy_invited
from audit.models import AuditEvent
from audit.tags import TAG_LABELS, AuditTag
from tests.journeys import signed_in
from tests.personas import make_user

DOWN = f"{__name__}.DownMailServer"
CORRECTED = "ivy.example@example.org"
FORM_BUTTON = "Correct the address and send a new link"
DONE = (
    "Email address corrected. A new invitation link has been sent to the corrected address. It works "
    "once, for 24 hours; the link sent before no longer works"
)


class DownMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("mail server down")


def _token(body: str) -> str:
    found = re.search(r"/account/invitation/([\w-]+)/", body)
    assert found, "no invitation link in the email"
    return found.group(1)


def _opens(token: str) -> bool:
    return Client().get(reverse("accounts:invitation", args=[token])).status_code == 200


def _accepted(token: str, user: User) -> bool:
    Client().post(reverse("accounts:invitation", args=[token]), ACCEPT)
    user.refresh_from_db()
    return user.has_usable_password()


def _correct(client: Client, user: User, email: str = CORRECTED, *, follow: bool = True, url: str = "team"):
    name = (
        "team:correct_invitation_address"
        if url == "team"
        else "administration:account_correct_invitation_address"
    )
    return client.post(reverse(name, args=[user.pk]), {"email": email}, follow=follow)


def _corrected_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(tag=AuditTag.InvitationAddressCorrected))


def _nothing_done(ivy: User, first: str) -> None:
    ivy.refresh_from_db()
    assert ivy.email == "ivy@example.org"
    assert not mail.outbox and not _corrected_events()
    assert not AuditEvent.objects.filter(tag=AuditTag.InvitationResent).exists()


def test_the_invited_accounts_page_offers_the_correction_with_the_address_to_correct(world):
    ivy, _ = ivy_invited(world)
    page = signed_in(world.lena).get(reverse("team:user", args=[ivy.pk])).content.decode()
    assert FORM_BUTTON in page
    assert 'value="ivy@example.org"' in page  # the mistyped address, shown to be corrected
    assert '<label class="govuk-label" for="id_email">Their email address</label>' in page


def test_the_la_team_corrects_the_address_and_only_the_new_address_gets_a_working_link(world):
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    client = signed_in(world.lena)

    page = _correct(client, ivy).content.decode()

    assert DONE in page
    [message] = mail.outbox
    assert message.to == [CORRECTED]
    ivy.refresh_from_db()
    assert ivy.email == CORRECTED
    assert not _opens(first)
    assert not _accepted(first, ivy)
    assert _accepted(_token(message.body), ivy)
    [event] = _corrected_events()
    assert event.actor == world.lena
    invitation = Invitation.objects.get(user=ivy)
    assert event.additional["user_id"] == ivy.pk
    assert event.additional["invitation_id"] == invitation.pk
    assert set(event.additional) == {"user_id", "invitation_id", "actor_role"}  # no address
    assert "example.org" not in str(event.additional)
    assert TAG_LABELS[AuditTag.InvitationAddressCorrected]
    assert invitation.created_by == world.lena
    assert FORM_BUTTON not in client.get(reverse("team:user", args=[ivy.pk])).content.decode()


def test_the_national_administrator_corrects_an_la_team_members_address(world):
    simon = make_user("simon", world.north, Role.SYSTEM_ADMIN)
    nell, first = ivy_invited(world, by=simon)
    User.objects.filter(pk=nell.pk).update(role=Role.LA_TEAM, organisation=world.south)
    mail.outbox.clear()
    client = signed_in(simon)
    assert FORM_BUTTON in client.get(reverse("administration:account", args=[nell.pk])).content.decode()

    page = _correct(client, nell, url="administration").content.decode()

    assert DONE in page
    [message] = mail.outbox
    assert message.to == [CORRECTED]
    assert not _opens(first)
    assert _accepted(_token(message.body), nell)
    [event] = _corrected_events()
    assert event.actor == simon and event.additional["user_id"] == nell.pk


def test_a_corrected_address_whose_email_could_not_be_sent_says_so(world, settings):
    ivy, first = ivy_invited(world)
    settings.EMAIL_BACKEND = DOWN
    page = _correct(signed_in(world.lena), ivy).content.decode()
    assert (
        "Email address corrected, but the email with the new invitation link could not be sent: the link "
        "sent before no longer works" in page
    )
    assert "has been sent" not in page
    ivy.refresh_from_db()
    assert ivy.email == CORRECTED
    assert not _opens(first)
    assert len(_corrected_events()) == 1


def test_an_account_that_accepted_keeps_its_address(world):
    ivy, first = ivy_invited(world)
    assert _accepted(first, ivy)
    mail.outbox.clear()
    page = _correct(signed_in(world.lena), ivy).content.decode()
    assert (
        "This account has already accepted its invitation: its email address was not changed and nothing "
        "was sent" in page
    )
    _nothing_done(ivy, first)


def test_a_closed_account_keeps_its_address(world):
    ivy, first = ivy_invited(world)
    account_close(user=ivy, by=world.lena)
    mail.outbox.clear()
    page = _correct(signed_in(world.lena), ivy).content.decode()
    assert "This account is closed: nothing was changed" in page
    _nothing_done(ivy, first)


def test_a_suspended_account_keeps_its_address(world):
    ivy, first = ivy_invited(world)
    account_suspend(user=ivy, by=world.lena, reason="Synthetic: checking the background check")
    mail.outbox.clear()
    page = _correct(signed_in(world.lena), ivy).content.decode()
    assert "This account is suspended: reinstate it before you correct its email address" in page
    _nothing_done(ivy, first)


def test_an_account_whose_organisation_closed_keeps_its_address(world):
    ivy, first = ivy_invited(world)
    world.north_social_care.closed_on = timezone.localdate()
    world.north_social_care.save(update_fields=["closed_on"])
    mail.outbox.clear()
    page = _correct(signed_in(world.lena), ivy).content.decode()
    assert "This account&#x27;s organisation has closed: its email address was not changed" in page
    _nothing_done(ivy, first)


def test_another_las_team_is_refused(world):
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    stan = make_user("stan", world.south, Role.LA_TEAM)
    response = _correct(signed_in(stan), ivy, follow=False)
    assert response.status_code == 403
    assert "This belongs to another local authority" in response.content.decode()
    _nothing_done(ivy, first)
    assert _opens(first)


@pytest.mark.parametrize("who", ["alice", "dara", "nadia"])
def test_a_role_without_account_management_is_refused(world, who):
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    response = _correct(signed_in(getattr(world, who)), ivy, follow=False)
    assert response.status_code == 403
    assert "Your role does not allow this" in response.content.decode()
    _nothing_done(ivy, first)
    assert _opens(first)


def test_the_la_team_cannot_use_the_national_page(world):
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    response = _correct(signed_in(world.lena), ivy, follow=False, url="administration")
    assert response.status_code == 403
    _nothing_done(ivy, first)


def test_an_account_moved_to_another_la_before_the_lock_keeps_its_address(world, monkeypatch):
    """The page's policy question is asked again under the locks (`still_theirs`)."""
    import team.account_pages

    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    correct = team.account_pages.invitation_address_correct

    def moved_first(**kwargs):
        User.objects.filter(pk=ivy.pk).update(organisation=world.south_gp)
        return correct(**kwargs)

    monkeypatch.setattr(team.account_pages, "invitation_address_correct", moved_first)
    response = _correct(signed_in(world.lena), ivy, follow=False)
    assert response.status_code == 403
    _nothing_done(ivy, first)
    assert _opens(first)


def test_a_correction_needs_a_recent_reauthentication(world):
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    response = _correct(signed_in(world.lena, reauthenticated=False), ivy, follow=False)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    _nothing_done(ivy, first)


def test_a_get_changes_nothing(world):
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    response = signed_in(world.lena).get(reverse("team:correct_invitation_address", args=[ivy.pk]))
    assert response.status_code == 405
    _nothing_done(ivy, first)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Enter their email address"),
        ("ivy@", "Enter an email address in the correct format, like name@example.com"),
        ("ivy@exam\u200bple.org", "The email address contains control or invisible characters"),
        ("alice@example.org", "Another open account already uses this email address"),
        ("lena@example.org", "this is your own. Nobody may invite an account for themselves"),
        ("IVY@example.org", "This is the address the invitation was sent to"),
    ],
)
def test_the_new_address_is_checked_as_the_invitation_form_checks_it(world, typed, error):
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    response = _correct(signed_in(world.lena), ivy, typed, follow=False)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert '<a href="#id_email">' in page  # the error summary links to the box
    assert "govuk-input--error" in page
    assert error in page.replace("&#x27;", "'")
    _nothing_done(ivy, first)
    assert _opens(first)


def test_an_address_taken_between_the_check_and_the_write_is_the_forms_answer(world, monkeypatch):
    """A colleague invited someone at the address after this form checked it: the database refuses the
    second open account at it, and the page says so (not a server error); nothing is changed."""
    import team.forms

    ivy, first = ivy_invited(world)
    make_user("ivy2", world.north_social_care, email=CORRECTED)
    monkeypatch.setattr(team.forms, "email_in_open_use", lambda email, **kwargs: False)
    mail.outbox.clear()
    client = signed_in(world.lena)
    client.raise_request_exception = False
    response = _correct(client, ivy, follow=False)
    assert response.status_code == 200
    assert "Another open account already uses this email address" in response.content.decode()
    _nothing_done(ivy, first)
    assert _opens(first)
