import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from accounts.services import mfa_reset
from accounts.stepup import REAUTH_KEY
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in, totp_device
from tests.pages import headings
from tests.personas import PASSWORD
from tests.webauthn import SoftAuthenticator

REGISTER_BEGIN = reverse("accounts:passkey_registration_begin")
REGISTER_COMPLETE = reverse("accounts:passkey_registration_complete")
AUTH_BEGIN = reverse("accounts:passkey_authentication_begin")
AUTH_COMPLETE = reverse("accounts:passkey_authentication_complete")


def _password_only(user) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _post_json(client: Client, url: str, payload: dict | None = None):
    return client.post(url, data=json.dumps(payload or {}), content_type="application/json")


def _register(client: Client, authenticator: SoftAuthenticator):
    options = _post_json(client, REGISTER_BEGIN).json()
    return _post_json(client, REGISTER_COMPLETE, authenticator.create(options))


def _verify(client: Client, authenticator: SoftAuthenticator, next_path: str = ""):
    options = _post_json(client, AUTH_BEGIN).json()
    url = f"{AUTH_COMPLETE}?next={next_path}" if next_path else AUTH_COMPLETE
    return _post_json(client, url, authenticator.get(options))


def _user_with_passkey(user) -> SoftAuthenticator:
    authenticator = SoftAuthenticator()
    assert _register(signed_in(user), authenticator).status_code == 200
    return authenticator


def test_it_refuses_passkey_registration_to_a_password_only_session(world):
    totp_device(world.alice)
    response = _post_json(_password_only(world.alice), REGISTER_BEGIN)
    assert response.status_code == 403
    assert response.json()["code"] == "user_not_verified"


def test_it_refuses_passkey_registration_before_totp_enrolment(world):
    """The package would let a user with no device register one and be verified by it: not here."""
    client = _password_only(world.alice)
    response = _post_json(client, REGISTER_BEGIN)
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"
    assert client.get(reverse("children:search"))["Location"].startswith(reverse("accounts:mfa"))


def test_it_requires_a_recent_step_up_to_add_a_passkey(world):
    client = signed_in(world.alice, reauthenticated=False)
    response = _post_json(client, REGISTER_BEGIN)
    assert response.status_code == 403
    assert response.json()["code"] == "reauthentication_required"
    page = client.get(reverse("accounts:passkeys"))
    assert page["Location"].startswith(reverse("accounts:reauthenticate"))


def test_the_passkeys_page_sends_an_unverified_session_to_the_second_factor(world):
    totp_device(world.alice)
    response = _password_only(world.alice).get(reverse("accounts:passkeys"))
    assert response["Location"] == reverse("accounts:mfa")


def test_it_refuses_passwordless_sign_in(world):
    _user_with_passkey(world.alice)
    response = _post_json(Client(), AUTH_BEGIN)
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_registration_asks_for_user_verification_and_records_an_audit_event(world):
    client = signed_in(world.alice)
    options = _post_json(client, REGISTER_BEGIN).json()
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["rp"]["id"] == "localhost"
    assert options["user"]["displayName"] == world.alice.username
    response = _post_json(client, REGISTER_COMPLETE, SoftAuthenticator().create(options))
    assert response.status_code == 200
    credential = WebAuthnCredential.objects.get(user=world.alice)
    event = AuditEvent.objects.get(tag=AuditTag.PasskeyRegistered, actor=world.alice)
    assert event.additional == {"actor_role": "practitioner", "device_id": credential.pk}
    assert "Added" in client.get(reverse("accounts:passkeys")).content.decode()


def test_a_registration_without_user_verification_is_refused(world):
    client = signed_in(world.alice)
    response = _register(client, SoftAuthenticator(user_verified=False))
    assert response.status_code == 422
    assert not WebAuthnCredential.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.PasskeyRegistered).exists()


def test_a_passkey_completes_sign_in_counts_as_step_up_and_is_audited(world):
    totp_device(world.alice)
    authenticator = _user_with_passkey(world.alice)
    client = _password_only(world.alice)
    assert "Use a passkey" in client.get(reverse("accounts:mfa")).content.decode()
    response = _verify(client, authenticator, next_path="/children/")
    assert response.status_code == 200
    assert response.json()["redirect_url"] == "/children/"
    assert client.get(reverse("children:search")).status_code == 200
    assert REAUTH_KEY in client.session
    assert AuditEvent.objects.filter(tag=AuditTag.PasskeyVerified, actor=world.alice).count() == 1


def test_a_passkey_without_user_verification_does_not_verify_the_session(world):
    totp_device(world.alice)
    authenticator = _user_with_passkey(world.alice)
    authenticator.user_verified = False
    client = _password_only(world.alice)
    assert _verify(client, authenticator).status_code == 422
    assert client.get(reverse("children:search"))["Location"].startswith(reverse("accounts:mfa"))
    assert AuditEvent.objects.filter(tag=AuditTag.PasskeyFailed, actor=world.alice).count() == 1


def test_someone_elses_passkey_is_refused(world):
    totp_device(world.alice)
    totp_device(world.bob)
    bobs = _user_with_passkey(world.bob)
    client = _password_only(world.alice)
    response = _verify(client, bobs)
    assert response.status_code == 403
    assert response.json()["code"] == "credential_user_mismatch"
    assert client.get(reverse("children:search"))["Location"].startswith(reverse("accounts:mfa"))


def test_a_completed_ceremony_cannot_be_replayed(world):
    totp_device(world.alice)
    authenticator = _user_with_passkey(world.alice)
    client = _password_only(world.alice)
    options = _post_json(client, AUTH_BEGIN).json()
    assertion = authenticator.get(options)
    assert _post_json(client, AUTH_COMPLETE, assertion).status_code == 200
    other = _password_only(world.alice)
    _post_json(other, AUTH_BEGIN)
    assert _post_json(other, AUTH_COMPLETE, assertion).status_code == 422


def test_failed_passkey_attempts_share_the_mfa_throttle(world):
    totp_device(world.alice)
    authenticator = _user_with_passkey(world.alice)
    authenticator.user_verified = False
    client = _password_only(world.alice)
    for _ in range(10):
        _verify(client, authenticator)
    authenticator.user_verified = True
    response = _post_json(client, AUTH_BEGIN)
    assert response.status_code == 429
    # A refused attempt is in the log, as a refused code is (account:mfa:throttled).
    from audit.models import AuditEvent
    from audit.tags import AuditTag

    assert AuditEvent.objects.filter(tag=AuditTag.MfaThrottled, actor_id=world.alice.pk).count() == 1
    assert "Too many wrong codes" in client.post(reverse("accounts:mfa"), {"code": "000000"}).content.decode()


def test_vetting_is_checked_before_any_passkey_ceremony(world):
    """Suspension is set directly here, as if a session had outlived it: the guard still refuses."""
    totp_device(world.alice)
    _user_with_passkey(world.alice)
    client = _password_only(world.alice)
    world.alice.suspended_at = timezone.now()
    world.alice.save(update_fields=["suspended_at"])
    response = _post_json(client, AUTH_BEGIN)
    assert response.status_code == 403
    assert headings(response.content.decode()) == ["You cannot do this"]  # the refusal page, with its reason
    assert "challenge" not in response.content.decode()
    assert not AuditEvent.objects.filter(tag=AuditTag.PasskeyVerified).exists()


def test_an_mfa_reset_removes_passkeys_too(world):
    _user_with_passkey(world.alice)
    mfa_reset(user=world.alice, by=world.lena)
    assert not WebAuthnCredential.objects.filter(user=world.alice).exists()


def test_passkey_step_up_is_offered_on_the_confirm_page(world):
    _user_with_passkey(world.alice)
    client = signed_in(world.alice, reauthenticated=False)
    session = client.session
    session[REAUTH_KEY] = time.time() - 3600
    session.save()
    page = client.get(reverse("accounts:reauthenticate"), {"next": "/children/"})
    assert "Use a passkey" in page.content.decode()
    assert 'id="otp_webauthn_config" type="application/json"' in page.content.decode()


def test_production_refuses_to_start_without_the_passkey_relying_party():
    """A wrong RP ID would silently break every passkey; a localhost default must never reach production."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WEBAUTHN_")},
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--settings=config.settings.production"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "WEBAUTHN_RP_ID must be set in production" in result.stderr
