"""Changing one's password asks for the current one (OWASP ASVS 4.0.3 V2.1.6).

The page asked only for a recent step-up, and signing in counts as one for 15 minutes: a session cookie
taken in that window could set a new password with no proof of knowing the old one, which ended the
owner's other sessions and locked them out, while the thief kept the session. The current password is
now asked for and checked as the step-up checks one: counted against the sign-in limits before it is
checked (given back when right), a wrong one audited and refused in words, and at the limit the session
ends.
"""

from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import PASSWORD

NEW = "plum orchard lantern 7 quietly"
URL = reverse("accounts:password_change")
HEADING = "Change your password"


def test_a_wrong_current_password_changes_nothing_and_says_so(world):
    client = signed_in(world.alice)
    page = rendered(
        client.post(URL, {"current": "not my password at all", "password1": NEW, "password2": NEW}),
        heading=HEADING,
    )
    assert "Your current password is not correct" in page
    assert User.objects.get(pk=world.alice.pk).check_password(PASSWORD)
    assert not AuditEvent.objects.filter(tag=AuditTag.PasswordChanged).exists()
    assert AuditEvent.objects.filter(tag=AuditTag.ReauthenticationFailed, actor=world.alice).count() == 1


def test_no_current_password_changes_nothing(world):
    client = signed_in(world.alice)
    page = rendered(client.post(URL, {"password1": NEW, "password2": NEW}), heading=HEADING)
    assert "Enter your current password" in page
    assert User.objects.get(pk=world.alice.pk).check_password(PASSWORD)


def test_the_right_current_password_changes_it(world):
    client = signed_in(world.alice)
    response = client.post(URL, {"current": PASSWORD, "password1": NEW, "password2": NEW})
    assert response.status_code == 302
    assert User.objects.get(pk=world.alice.pk).check_password(NEW)


def test_guessing_the_current_password_ends_the_session_at_the_sign_in_limit(world):
    client = signed_in(world.alice)
    for attempt in range(10):
        response = client.post(
            URL, {"current": f"guess number {attempt}", "password1": NEW, "password2": NEW}
        )
    assert response.status_code == 429
    assert client.get(URL)["Location"].startswith(reverse("accounts:login"))  # signed out
    assert User.objects.get(pk=world.alice.pk).check_password(PASSWORD)
    assert AuditEvent.objects.filter(tag=AuditTag.ReauthenticationThrottled, actor=world.alice).exists()
