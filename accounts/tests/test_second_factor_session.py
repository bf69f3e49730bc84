"""The second factor as a session boundary: a new session key once it is passed, no step-up from the
sign-in code page, and refused attempts over the limit written to the log."""

from django.test import Client
from django.urls import reverse

from accounts.models import UserSession
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import current_code, signed_in, totp_device
from tests.personas import PASSWORD


def test_the_session_key_is_renewed_when_the_second_factor_is_passed(world):
    """A cookie captured while only the password was proved must not become a verified session."""
    device = totp_device(world.alice)
    client = Client()
    assert (
        client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD}).status_code == 302
    )
    password_only_key = client.session.session_key
    assert client.post(reverse("accounts:mfa"), {"code": current_code(device)}).status_code == 302
    assert client.session.session_key != password_only_key
    thief = Client()
    thief.cookies["sessionid"] = password_only_key
    assert thief.get(reverse("children:search")).status_code == 302  # back to sign-in
    # The renewed session is still tracked, so a suspension still ends it.
    assert UserSession.objects.filter(user=world.alice, session_key=client.session.session_key).exists()
    assert client.get(reverse("children:search")).status_code == 200


def test_the_sign_in_code_page_never_grants_a_step_up_to_a_session_already_signed_in(world, shielded_child):
    """Step-up is password and second factor (/account/confirm/): a code alone, posted to the sign-in
    code page from a signed-in session, must not open break-glass."""
    client = signed_in(world.olivia, reauthenticated=False)
    override = reverse("children:override", args=[shielded_child.pk])
    assert client.get(override)["Location"].startswith(reverse("accounts:reauthenticate"))
    client.post(reverse("accounts:mfa"), {"code": current_code(totp_device(world.olivia))})
    assert client.get(override)["Location"].startswith(reverse("accounts:reauthenticate"))


def test_a_code_refused_because_of_too_many_failures_is_audited(world):
    totp_device(world.alice)
    client = Client()
    client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    for _ in range(10):
        client.post(reverse("accounts:mfa"), {"code": "000000"})
    response = client.post(reverse("accounts:mfa"), {"code": "000000"})
    assert "Too many wrong codes" in response.content.decode()
    assert AuditEvent.objects.filter(tag=AuditTag.MfaThrottled, actor_id=world.alice.pk).count() == 1
