"""A code checked against an authenticator removed at that moment gets an answer, never a server error.

The code pages read the person's authenticator and then lock its row to check the code
(`accounts.services.totp_token_verify`). Removed in between, the lock found no row: `DoesNotExist`, a
500. That happens at sign-in when the LA team resets the second factor as the person types a code,
and at enrolment when the set-up page is opened again in another tab (which replaces the unconfirmed
authenticator) as the first tab sends its code. The interleaving is made deterministic here: the
removal runs just before the check.
"""

from django.test import Client
from django.urls import reverse

import accounts.mfa
import accounts.services
from accounts.models import SealedTOTPDevice
from accounts.services import mfa_reset, recovery_code_use, recovery_codes_issue, totp_device_start
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import current_code, totp_device
from tests.personas import PASSWORD


def _password_only(user) -> Client:
    client = Client(raise_request_exception=False)
    assert (
        client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code
        == 302
    )
    return client


def test_a_sign_in_code_sent_as_the_la_team_resets_the_second_factor_signs_nobody_in(world, monkeypatch):
    device = totp_device(world.alice)
    client = _password_only(world.alice)
    check = accounts.mfa.totp_token_verify

    def reset_first(**kwargs):
        mfa_reset(user=world.alice, by=world.lena)
        return check(**kwargs)

    monkeypatch.setattr(accounts.mfa, "totp_token_verify", reset_first)
    answer = client.post(reverse("accounts:mfa"), {"code": current_code(device)})

    # 400 is Django's own answer when the request's session was ended before it completed (the reset
    # ended it); nothing was verified either way.
    assert answer.status_code in (200, 302, 400), answer.status_code
    assert not SealedTOTPDevice.objects.filter(user=world.alice).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.MfaVerified, actor=world.alice).exists()
    # The reset ended the session: the next page is the sign-in page.
    assert client.get(reverse("children:search"))["Location"].startswith(reverse("accounts:login"))


def test_an_enrolment_code_sent_as_the_set_up_page_is_opened_again_shows_the_new_code_to_scan(
    world, monkeypatch
):
    client = _password_only(world.bob)
    client.get(reverse("accounts:mfa_enrol"))
    first = SealedTOTPDevice.objects.get(user=world.bob, confirmed=False)
    check = accounts.services.totp_token_verify

    def page_opened_again_first(**kwargs):
        totp_device_start(user=world.bob)  # what the other tab's GET does
        return check(**kwargs)

    monkeypatch.setattr(accounts.services, "totp_token_verify", page_opened_again_first)
    answer = client.post(reverse("accounts:mfa_enrol"), {"code": current_code(first)})

    assert answer.status_code == 200, answer.status_code
    page = answer.content.decode()
    assert "The security code is not correct" in page
    now = SealedTOTPDevice.objects.get(user=world.bob)
    assert not now.confirmed
    assert now.pk != first.pk
    assert accounts.mfa.totp_secret_base32(now) in page  # the code the person can still scan
    assert not AuditEvent.objects.filter(tag=AuditTag.MfaEnrolled, actor=world.bob).exists()


def test_an_enrolment_finished_in_another_tab_meanwhile_keeps_the_recovery_codes_that_tab_showed(
    world, monkeypatch
):
    """Two tabs on the set-up page send codes of consecutive time steps: the second confirmed the
    authenticator again, was audited as a second enrolment and replaced the recovery codes the first
    tab had just shown, which then no longer worked."""
    client = _password_only(world.bob)
    client.get(reverse("accounts:mfa_enrol"))
    device = SealedTOTPDevice.objects.get(user=world.bob, confirmed=False)
    check = accounts.services.totp_token_verify
    shown_by_the_other_tab: list[str] = []

    def other_tab_enrolled_first(**kwargs):
        SealedTOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        shown_by_the_other_tab.extend(recovery_codes_issue(user=world.bob))
        return check(**kwargs)

    monkeypatch.setattr(accounts.services, "totp_token_verify", other_tab_enrolled_first)
    answer = client.post(reverse("accounts:mfa_enrol"), {"code": current_code(device, 1)})

    assert (answer.status_code, answer["Location"]) == (302, reverse("accounts:mfa"))
    assert "recovery-codes" not in answer.content.decode()
    assert not AuditEvent.objects.filter(tag=AuditTag.MfaEnrolled, actor=world.bob).exists()
    assert recovery_code_use(user=world.bob, code=shown_by_the_other_tab[0])
