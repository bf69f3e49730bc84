"""Second-factor checks shared by sign-in and step-up: TOTP (replay refused) or a recovery code."""

import base64
import math
import time
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib.auth import logout
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.oath import TOTP

from accounts.models import SealedTOTPDevice, User
from accounts.ratelimit import MFA_REFUSED, MFA_USER, attempts_give_back, attempts_take
from accounts.services import confirmed_totp_device, recovery_code_use, session_key_renewed, totp_token_verify
from audit.services import event_record
from audit.tags import AuditTag
from vault.crypto import DecryptionFailed


class MfaThrottled(Exception):
    pass


class CodeAlreadyUsed(Exception):
    """The authenticator code was right but its time step has been used: the person waits for the next."""


class AuthenticatorLocked(Exception):
    """django-otp locks the authenticator after each wrong code (1, 2, 4, ... seconds, doubling without
    end) and refuses every code meanwhile, the right one too, without checking it: the person is told so,
    and that a recovery code still works, never that their code is wrong."""

    def __init__(self, minutes: int) -> None:
        super().__init__(f"authenticator locked for {minutes} minutes")
        self.minutes = minutes


def authenticator_locked_minutes(device: SealedTOTPDevice) -> int | None:
    """Whole minutes (rounded up) before django-otp checks `device`'s codes again; None if it does now."""
    allowed, details = device.verify_is_allowed()
    if allowed or not details or details.get("locked_until") is None:
        return None
    return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds() / 60))


def totp_code_reused(device: SealedTOTPDevice, token: str) -> bool:
    """Would `token` have been accepted but for the replay rule (its time step is already used)?"""
    if not (token.isascii() and token.isdigit()) or device.last_t is None or device.last_t < 0:
        return False
    try:
        key = device.bin_key
    except DecryptionFailed:  # a secret that does not open verified nothing: never "already used"
        return False
    totp = TOTP(key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return bool(totp.verify(int(token), tolerance=device.tolerance)) and totp.t() <= device.last_t


def mfa_refusal_record(user: User) -> None:
    """Audit an attempt the code limit refused unchecked (a code, a passkey ceremony): the first of each
    minute per account, with the refusals of the minute before (`OncePerWindow`). A refusal costs nothing
    else, so one event each would let anyone holding only the password write audit events without end."""
    due, before = MFA_REFUSED.due(str(user.pk), now=time.time())
    if due:
        event_record(
            tag=AuditTag.MfaThrottled, actor=user, additional={"refused_in_the_minute_before": before}
        )


def second_factor_login(request: HttpRequest, *, user: User, device: Device) -> bool:
    """Mark the session verified by `device` under a new session key; False (the request signed out)
    when the account's sessions were ended meanwhile (suspended, closed, second factor reset).

    Django renews the key when the password is accepted; without a second renewal here, a cookie
    captured while only the password had been proved would become a fully verified session.
    """
    otp_login(request, device)
    return session_key_renew(request, user=user)


def session_key_renew(request: HttpRequest, *, user: User) -> bool:
    """Give the session a new key (its data kept) and track it under that key, so ending the account's
    sessions still ends it; False (the request signed out) when they were ended meanwhile."""
    old_key = request.session.session_key
    request.session.cycle_key()
    if not session_key_renewed(user=user, old_key=old_key, new_key=str(request.session.session_key)):
        logout(request)
        return False
    return True


def second_factor_verify(request: HttpRequest, *, user: User, code: str) -> bool:
    """True and the session marked verified if `code` is a fresh TOTP code or an unused recovery code;
    `AuthenticatorLocked` for an app's code while django-otp's own lock of the app would refuse it unchecked.

    django-otp's TOTP device remembers the last time step used, so a code cannot be replayed; a replayed
    code raises `CodeAlreadyUsed` (still counted as a failure) so the page can say why. The device's row
    is locked while the code is checked (`totp_token_verify`), so two sessions posting one code at the
    same moment pass one at a time: the second finds the step used.
    """
    subject = str(user.pk)
    # Counted before the check (kept as the failure unless the code passes), so codes sent at the same
    # moment from many sessions cannot all be checked.
    if attempts_take((MFA_USER, subject)) is None:
        mfa_refusal_record(user)
        raise MfaThrottled
    device = confirmed_totp_device(user)
    if device is None:
        attempts_give_back((MFA_USER, subject))
        return False
    compact = code.replace(" ", "")
    # An app's code (a recovery code has a dash) while the app is locked would be refused unchecked.
    # Still counted, as before, but named: "not correct" sent people with the right code to the LA team.
    if compact.isdigit() and (locked_for := authenticator_locked_minutes(device)) is not None:
        event_record(tag=AuditTag.MfaFailed, actor=user, additional={"authenticator_locked": True})
        raise AuthenticatorLocked(locked_for)
    totp_passed = compact.isdigit() and totp_token_verify(device=device, token=compact)
    if totp_passed or recovery_code_use(user=user, code=code):
        if not second_factor_login(request, user=user, device=device):
            return False  # ended meanwhile: signed out, and nothing verified
        MFA_USER.reset(subject)
        event_record(tag=AuditTag.MfaVerified, actor=user)
        return True
    reused = totp_code_reused(device, compact)
    event_record(tag=AuditTag.MfaFailed, actor=user, additional={"reused_code": True} if reused else None)
    if reused:
        raise CodeAlreadyUsed
    return False


def totp_secret_base32(device: SealedTOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def totp_qr_svg(device: SealedTOTPDevice) -> str:
    """The otpauth URL as an inline SVG QR code (no script, no external request)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()
