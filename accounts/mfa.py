"""Second-factor checks shared by sign-in and step-up: TOTP (replay refused) or a recovery code."""

import base64
import time
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib.auth import logout
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.ratelimit import MFA_USER, attempts_give_back, attempts_take
from accounts.services import confirmed_totp_device, recovery_code_use, session_key_renewed, totp_token_verify
from audit.services import event_record
from audit.tags import AuditTag


class MfaThrottled(Exception):
    pass


class CodeAlreadyUsed(Exception):
    """The authenticator code was right but its time step has been used: the person waits for the next."""


def totp_code_reused(device: TOTPDevice, token: str) -> bool:
    """Would `token` have been accepted but for the replay rule (its time step is already used)?"""
    if not (token.isascii() and token.isdigit()) or device.last_t is None or device.last_t < 0:
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return bool(totp.verify(int(token), tolerance=device.tolerance)) and totp.t() <= device.last_t


def second_factor_login(request: HttpRequest, *, user: User, device: Device) -> bool:
    """Mark the session verified by `device` under a new session key; False (the request signed out)
    when the account's sessions were ended meanwhile (suspended, closed, second factor reset).

    Django renews the key when the password is accepted; without a second renewal here, a cookie
    captured while only the password had been proved would become a fully verified session.
    """
    old_key = request.session.session_key
    otp_login(request, device)
    request.session.cycle_key()
    if not session_key_renewed(user=user, old_key=old_key, new_key=str(request.session.session_key)):
        logout(request)
        return False
    return True


def second_factor_verify(request: HttpRequest, *, user: User, code: str) -> bool:
    """True and the session marked verified if `code` is a fresh TOTP code or an unused recovery code.

    django-otp's TOTP device remembers the last time step used, so a code cannot be replayed; a replayed
    code raises `CodeAlreadyUsed` (still counted as a failure) so the page can say why. The device's row
    is locked while the code is checked (`totp_token_verify`), so two sessions posting one code at the
    same moment pass one at a time: the second finds the step used.
    """
    subject = str(user.pk)
    # Counted before the check (kept as the failure unless the code passes), so codes sent at the same
    # moment from many sessions cannot all be checked.
    if attempts_take((MFA_USER, subject)) is None:
        event_record(tag=AuditTag.MfaThrottled, actor=user)
        raise MfaThrottled
    device = confirmed_totp_device(user)
    if device is None:
        attempts_give_back((MFA_USER, subject))
        return False
    compact = code.replace(" ", "")
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


def totp_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth URL as an inline SVG QR code (no script, no external request)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()
