"""Anyone signed in can change their own password (session 24 left: "no page to change one's own
password"; a person who suspects their password has leaked had to ask the LA team to suspend them).

The page needs a recent step-up (password and second factor, with their own limits), so a stolen
session cannot use it to guess or take over the password; the new password passes the same rules as
an invitation's; every other session of the account ends, this one carries on; the change is audited
and the person is told by email (never the password), in case it was not them.
"""

from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

import accounts.views
from accounts.models import User, UserSession
from accounts.services import account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.personas import PASSWORD

NEW = "plum orchard lantern 7 quietly"
URL = reverse("accounts:password_change")


def _change(client, first=NEW, second=NEW):
    return client.post(URL, {"current": PASSWORD, "password1": first, "password2": second})


def test_a_person_changes_their_password_and_every_other_session_ends(
    world, django_capture_on_commit_callbacks
):
    elsewhere = signed_in(world.alice)
    here = signed_in(world.alice)
    page = here.get(URL)
    assert "Change your password" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _change(here)
    assert response.status_code == 302
    assert "Your password has been changed" in here.get(response["Location"], follow=True).content.decode()
    stored = User.objects.get(pk=world.alice.pk)
    assert stored.check_password(NEW) and not stored.check_password(PASSWORD)
    assert "Change your password" in here.get(URL).content.decode()  # this session carries on
    assert SESSION_KEY not in elsewhere.session  # the other one was ended
    assert elsewhere.get(URL)["Location"].startswith(reverse("accounts:login"))
    assert UserSession.objects.filter(user=world.alice).count() == 1
    [event] = AuditEvent.objects.filter(tag=AuditTag.PasswordChanged)
    assert event.actor_id == world.alice.pk and event.additional["sessions_ended"] == 1
    [email] = mail.outbox
    assert email.to == [world.alice.email]
    assert "If you did not change it, tell whoever manages your" in email.body and NEW not in email.body


def test_the_page_asks_for_a_recent_step_up_first(world):
    client = signed_in(world.alice, reauthenticated=False)
    response = _change(client)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:reauthenticate"))
    assert client.get(URL)["Location"].startswith(reverse("accounts:reauthenticate"))
    assert User.objects.get(pk=world.alice.pk).check_password(PASSWORD)
    assert not AuditEvent.objects.filter(tag=AuditTag.PasswordChanged).exists()


def test_a_password_the_rules_refuse_is_refused_with_the_reason_and_nothing_changes(world):
    client = signed_in(world.alice)
    for first, second, says in [
        ("ContactPoint2026!", "ContactPoint2026!", "harder to guess"),
        ("short", "short", "characters or more"),
        (NEW, NEW + "x", "The passwords do not match"),
    ]:
        page = _change(client, first, second).content.decode()
        assert says in page, says
        assert "There is a problem" in page
    assert User.objects.get(pk=world.alice.pk).check_password(PASSWORD)
    assert not AuditEvent.objects.filter(tag=AuditTag.PasswordChanged).exists()


def test_nobody_signed_out_reaches_the_page(client, world):
    assert client.get(URL)["Location"].startswith(reverse("accounts:login"))
    assert client.post(URL, {"current": PASSWORD, "password1": NEW, "password2": NEW})["Location"].startswith(
        reverse("accounts:login")
    )


def test_a_person_suspended_while_changing_it_keeps_the_old_password_and_is_signed_out(world, monkeypatch):
    """The request passed the checks; the LA team's suspension committed before the change locked the row."""
    real = accounts.views.password_change_service

    def suspended_first(**kwargs):
        account_suspend(user=User.objects.get(pk=world.alice.pk), by=world.lena, reason="Synthetic reason")
        return real(**kwargs)

    monkeypatch.setattr(accounts.views, "password_change_service", suspended_first)
    client = signed_in(world.alice)
    response = _change(client)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert User.objects.get(pk=world.alice.pk).check_password(PASSWORD)
    assert not AuditEvent.objects.filter(tag=AuditTag.PasswordChanged).exists()
    assert client.get(URL)["Location"].startswith(reverse("accounts:login"))
