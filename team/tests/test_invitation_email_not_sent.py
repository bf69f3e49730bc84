"""An invitation whose email could not be sent (reviewer's finding, session of the invitation resend).

With the mail server down the invitation page still said "Invitation sent": the account existed with no
usable password and only the hash of its link's token stored, so nobody could ever use it, and inviting
the address again was refused ("Another open account already uses this email address"). The only way
out was closing the account. Now the page says in words that the email did not go, and the LA team
sends a new invitation link from the account's page: a new token (the earlier link stops working), the
email, the answer in words, an audit event. Refused in words for an account that accepted already, is
closed or suspended; by the policy for another LA's account or a role without account management.
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
from accounts.services import account_close, account_suspend, invitation_accept, invitation_for_token
from accounts.tests.invitations import ACCEPT, ivy_invited
from audit.models import AuditEvent
from audit.tags import TAG_LABELS, AuditTag
from tests.invitations import invitation_form
from tests.journeys import signed_in
from tests.personas import make_user

DOWN = f"{__name__}.DownMailServer"
NOT_SENT = (
    "The account was created but the invitation email could not be sent: send a new invitation link "
    "from the account&#x27;s page"
)
RESEND_BUTTON = "Send a new invitation link"


class DownMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("mail server down")


INVITE = invitation_form()


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


def _resend(client: Client, user: User, *, follow: bool = True):
    return client.post(reverse("team:resend_invitation", args=[user.pk]), follow=follow)


def _resent_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(tag=AuditTag.InvitationResent))


def test_an_invitation_whose_email_could_not_be_sent_says_so_instead_of_sent(world, settings):
    settings.EMAIL_BACKEND = DOWN
    client = signed_in(world.lena)
    response = client.post(
        reverse("team:invite"), {**INVITE, "organisation": str(world.north_social_care.pk)}, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert NOT_SENT in page
    assert "Invitation sent" not in page
    ivy = User.objects.get(username="ivy")
    assert not ivy.has_usable_password()
    assert Invitation.objects.get(user=ivy).used_at is None
    assert RESEND_BUTTON in page  # it lands on the account's page, where the new link is sent from


def test_an_invitation_sent_still_says_sent(world):
    client = signed_in(world.lena)
    response = client.post(
        reverse("team:invite"), {**INVITE, "organisation": str(world.north_social_care.pk)}, follow=True
    )
    page = response.content.decode()
    assert "Invitation sent. The link works once, for 24 hours." in page
    assert "could not be sent" not in page
    assert len(mail.outbox) == 1


def test_the_service_says_whether_the_invitation_email_went(world, settings):
    settings.EMAIL_BACKEND = DOWN
    invited = ivy_invited(world)
    assert invited.sent is False
    ivy, token = invited  # still the pair every caller unpacks
    assert ivy.username == "ivy" and token


def test_the_national_invitation_page_says_so_too(world, settings):
    settings.EMAIL_BACKEND = DOWN
    simon = make_user("simon", world.north, Role.SYSTEM_ADMIN)
    data = {**INVITE, "username": "nell", "email": "nell@example.org", "role": Role.LA_TEAM}
    response = signed_in(simon).post(
        reverse("administration:account_invite"), {**data, "organisation": str(world.south.pk)}, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "the invitation email could not be sent" in page
    assert "Invitation sent" not in page
    assert User.objects.filter(username="nell").exists()


def test_the_national_administrator_sends_a_new_link_from_the_account_page_they_were_sent_to(world, settings):
    """The national invitation page says to send a new link "from the account's page": that page has the
    button, and it sends a link that works (the first had no button there)."""
    settings.EMAIL_BACKEND = DOWN
    simon = make_user("simon", world.north, Role.SYSTEM_ADMIN)
    client = signed_in(simon)
    data = {**INVITE, "username": "nell", "email": "nell@example.org", "role": Role.LA_TEAM}
    client.post(reverse("administration:account_invite"), {**data, "organisation": str(world.south.pk)})
    nell = User.objects.get(username="nell")
    assert RESEND_BUTTON in client.get(reverse("administration:account", args=[nell.pk])).content.decode()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    page = client.post(reverse("administration:account_resend_invitation", args=[nell.pk]), follow=True)

    assert "A new invitation link has been sent" in page.content.decode()
    [message] = mail.outbox
    assert _accepted(_token(message.body), nell)
    [event] = _resent_events()
    assert event.actor_id == simon.pk and event.additional["user_id"] == nell.pk


def test_a_new_link_sent_once_the_mail_server_is_back_works_and_the_first_does_not(world, settings):
    settings.EMAIL_BACKEND = DOWN
    ivy, first = ivy_invited(world)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = signed_in(world.lena)
    assert RESEND_BUTTON in client.get(reverse("team:user", args=[ivy.pk])).content.decode()

    page = _resend(client, ivy).content.decode()

    assert "A new invitation link has been sent. It works once, for 24 hours" in page
    [message] = mail.outbox
    assert message.to == ["ivy@example.org"]
    second = _token(message.body)
    assert second != first
    assert not _opens(first)
    assert not _accepted(first, ivy)
    assert _accepted(second, ivy)
    [event] = _resent_events()
    assert event.actor == world.lena
    assert event.additional["user_id"] == ivy.pk
    assert TAG_LABELS[AuditTag.InvitationResent]
    assert RESEND_BUTTON not in client.get(reverse("team:user", args=[ivy.pk])).content.decode()


def test_a_new_link_whose_email_could_not_be_sent_says_so(world, settings):
    ivy, first = ivy_invited(world)
    settings.EMAIL_BACKEND = DOWN
    page = _resend(signed_in(world.lena), ivy).content.decode()
    assert "the email could not be sent" in page
    assert "has been sent" not in page
    assert not _opens(first)  # replaced all the same: the page says so
    assert len(_resent_events()) == 1


def test_an_expired_invitation_gets_a_new_link_that_works(world):
    ivy, _ = ivy_invited(world)
    Invitation.objects.filter(user=ivy).update(expires_at=timezone.now() - timezone.timedelta(hours=1))
    client = signed_in(world.lena)
    assert RESEND_BUTTON in client.get(reverse("team:user", args=[ivy.pk])).content.decode()
    mail.outbox.clear()
    _resend(client, ivy)
    assert _accepted(_token(mail.outbox[0].body), ivy)


def test_a_new_link_works_though_the_first_inviter_was_closed_since(world):
    """The colleague who sends the new link answers for it: the first inviter's account closed since
    (which stops every link they made) does not stop the new one."""
    lorna = make_user("lorna", world.north, Role.LA_TEAM)
    ivy, _ = ivy_invited(world, by=lorna)
    account_close(user=lorna, by=world.lena)
    mail.outbox.clear()
    _resend(signed_in(world.lena), ivy)
    assert _accepted(_token(mail.outbox[0].body), ivy)
    assert Invitation.objects.get(user=ivy).created_by == world.lena


def test_a_link_read_before_a_new_one_was_sent_sets_no_password(world):
    """The invitation page reads the invitation by its token, checks the password, then accepts: a new
    link sent in between replaced that token, so the earlier one sets nothing."""
    ivy, first = ivy_invited(world)
    read = invitation_for_token(first)
    assert read is not None
    _resend(signed_in(world.lena), ivy)
    assert invitation_accept(invitation=read, password=ACCEPT["password1"], agreement_signed=True) is None
    ivy.refresh_from_db()
    assert not ivy.has_usable_password()
    refused = AuditEvent.objects.filter(tag=AuditTag.InvitationRefused)
    assert [e.additional["reason"] for e in refused] == ["replaced"]


def test_an_account_that_accepted_gets_no_new_link(world):
    ivy, first = ivy_invited(world)
    assert _accepted(first, ivy)
    mail.outbox.clear()
    hash_before = Invitation.objects.get(user=ivy).token_hash
    page = _resend(signed_in(world.lena), ivy).content.decode()
    assert "This account has already accepted its invitation: nothing was sent" in page
    assert not mail.outbox and not _resent_events()
    assert Invitation.objects.get(user=ivy).token_hash == hash_before


def test_an_account_never_invited_gets_no_link(world):
    page = _resend(signed_in(world.lena), world.alice).content.decode()
    assert "This account has already accepted its invitation: nothing was sent" in page
    assert not mail.outbox and not _resent_events()
    assert not Invitation.objects.filter(user=world.alice).exists()


def test_a_closed_account_gets_no_new_link(world):
    ivy, _ = ivy_invited(world)
    account_close(user=ivy, by=world.lena)
    mail.outbox.clear()
    page = _resend(signed_in(world.lena), ivy).content.decode()
    assert "This account is closed: nothing was changed" in page
    assert not mail.outbox and not _resent_events()


def test_a_suspended_account_gets_no_new_link(world):
    ivy, _ = ivy_invited(world)
    account_suspend(user=ivy, by=world.lena, reason="Synthetic: checking the background check")
    mail.outbox.clear()
    hash_before = Invitation.objects.get(user=ivy).token_hash
    client = signed_in(world.lena)
    assert RESEND_BUTTON not in client.get(reverse("team:user", args=[ivy.pk])).content.decode()
    page = _resend(client, ivy).content.decode()
    assert "This account is suspended: reinstate it before you send a new invitation link" in page
    assert not mail.outbox and not _resent_events()
    assert Invitation.objects.get(user=ivy).token_hash == hash_before


def test_an_account_whose_organisation_closed_gets_no_new_link(world):
    ivy, _ = ivy_invited(world)
    world.north_social_care.closed_on = timezone.localdate()
    world.north_social_care.save(update_fields=["closed_on"])
    mail.outbox.clear()
    page = _resend(signed_in(world.lena), ivy).content.decode()
    assert "This account&#x27;s organisation has closed: nothing was sent" in page
    assert not mail.outbox and not _resent_events()


def test_another_las_team_is_refused(world):
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    stan = make_user("stan", world.south, Role.LA_TEAM)
    response = _resend(signed_in(stan), ivy, follow=False)
    assert response.status_code == 403
    assert "This belongs to another local authority" in response.content.decode()
    assert not mail.outbox and not _resent_events()
    assert _opens(first)


@pytest.mark.parametrize("who", ["alice", "dara", "nadia"])
def test_a_role_without_account_management_is_refused(world, who):
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    response = _resend(signed_in(getattr(world, who)), ivy, follow=False)
    assert response.status_code == 403
    assert "Your role does not allow this" in response.content.decode()
    assert not mail.outbox and not _resent_events()
    assert _opens(first)


def test_a_get_sends_nothing_and_changes_nothing(world):
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    response = signed_in(world.lena).get(reverse("team:resend_invitation", args=[ivy.pk]))
    assert response.status_code == 405
    assert not mail.outbox and not _resent_events()
    assert _opens(first)


def test_a_new_link_needs_a_recent_reauthentication(world):
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    response = _resend(signed_in(world.lena, reauthenticated=False), ivy, follow=False)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    assert not mail.outbox and not _resent_events()
    assert _opens(first)


def test_an_account_moved_to_another_la_before_the_lock_gets_no_new_link(world, monkeypatch):
    """The page's policy question is asked again under the locks (`still_theirs`): an account moved to
    another LA between the page's check and the write gets nothing."""
    import team.account_pages

    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    resend = team.account_pages.invitation_resend

    def moved_first(**kwargs):
        User.objects.filter(pk=ivy.pk).update(organisation=world.south_gp)
        return resend(**kwargs)

    monkeypatch.setattr(team.account_pages, "invitation_resend", moved_first)
    client = signed_in(world.lena)
    response = _resend(client, ivy, follow=False)
    assert response.status_code == 403
    assert not mail.outbox and not _resent_events()
    assert _opens(first)  # the link sent before is left as it was
