import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import RecoveryCode, SealedTOTPDevice
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import current_code, totp_device
from tests.personas import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _password_only(user) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_first_sign_in_requires_enrolment_before_anything_else(world):
    client = _password_only(world.alice)
    response = client.get(reverse("children:search"))
    assert response["Location"].startswith(reverse("accounts:mfa"))
    assert client.get(reverse("accounts:mfa"))["Location"] == reverse("accounts:mfa_enrol")


def test_enrolment_confirms_the_app_and_shows_eight_recovery_codes_once(world):
    client = _password_only(world.alice)
    page = client.get(reverse("accounts:mfa_enrol"))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = SealedTOTPDevice.objects.get(user=world.alice, confirmed=False)
    response = client.post(reverse("accounts:mfa_enrol"), {"code": current_code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 8 and len(set(codes)) == 8
    stored = list(RecoveryCode.objects.filter(user=world.alice).values_list("code_hash", flat=True))
    assert len(stored) == 8
    assert not set(codes) & set(stored)
    assert client.get(reverse("children:search")).status_code == 200
    assert AuditEvent.objects.filter(tag=AuditTag.MfaEnrolled, actor=world.alice).exists()


def test_a_wrong_code_does_not_complete_enrolment(world):
    client = _password_only(world.alice)
    client.get(reverse("accounts:mfa_enrol"))
    response = client.post(reverse("accounts:mfa_enrol"), {"code": "000000"})
    assert "not correct" in response.content.decode()
    assert not SealedTOTPDevice.objects.filter(user=world.alice, confirmed=True).exists()


def test_a_totp_code_signs_in_once_and_is_refused_on_replay(world):
    device = totp_device(world.alice)
    code = current_code(device)
    first = _password_only(world.alice)
    assert first.post(reverse("accounts:mfa"), {"code": code}).status_code == 302
    assert first.get(reverse("children:search")).status_code == 200
    assert AuditEvent.objects.filter(tag=AuditTag.MfaVerified, actor=world.alice).count() == 1

    second = _password_only(world.alice)
    replay = second.post(reverse("accounts:mfa"), {"code": code})
    assert replay.status_code == 200
    assert "This code has already been used: wait for the next one" in replay.content.decode()
    failed = AuditEvent.objects.get(tag=AuditTag.MfaFailed, actor=world.alice)
    assert failed.additional["reused_code"] is True


def test_a_wrong_code_is_not_called_already_used(world):
    device = totp_device(world.alice)
    first = _password_only(world.alice)
    assert first.post(reverse("accounts:mfa"), {"code": current_code(device)}).status_code == 302
    response = _password_only(world.alice).post(reverse("accounts:mfa"), {"code": "000000"})
    assert "The security code is not correct" in response.content.decode()
    assert "already been used" not in response.content.decode()


def test_the_navigation_is_hidden_until_the_second_factor_is_done(world):
    device = totp_device(world.alice)
    client = _password_only(world.alice)
    before = client.get(reverse("accounts:mfa")).content.decode()
    nav = before[before.index('id="navigation"') : before.index("</nav>")]
    assert reverse("children:search") not in nav
    assert reverse("accounts:passkeys") not in nav
    assert "Sign out" in nav
    client.post(reverse("accounts:mfa"), {"code": current_code(device)})
    after = client.get(reverse("children:search")).content.decode()
    nav = after[after.index('id="navigation"') : after.index("</nav>")]
    assert reverse("children:search") in nav and reverse("accounts:passkeys") in nav


def test_a_recovery_code_works_once(world):
    totp_device(world.alice)
    from accounts.services import recovery_codes_issue

    code = recovery_codes_issue(user=world.alice)[0]
    first = _password_only(world.alice)
    assert first.post(reverse("accounts:mfa"), {"code": code.lower()}).status_code == 302
    second = _password_only(world.alice)
    assert second.post(reverse("accounts:mfa"), {"code": code}).status_code == 200
    assert AuditEvent.objects.filter(tag=AuditTag.RecoveryCodeUsed).count() == 1


def test_wrong_codes_are_throttled_after_ten(world):
    totp_device(world.alice)
    client = _password_only(world.alice)
    for _ in range(10):
        client.post(reverse("accounts:mfa"), {"code": "000000"})
    device = SealedTOTPDevice.objects.get(user=world.alice)
    response = client.post(reverse("accounts:mfa"), {"code": current_code(device)})
    assert "Too many wrong codes" in response.content.decode()
