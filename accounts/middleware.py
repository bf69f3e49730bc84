"""Per-request account guards: session limits, vetting lapses, MFA, and no caching of pages.

Checked on every request, so a suspension, a lapsed check or an expired session bites at once.
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware

from access.http import denied
from access.permissions import Permission
from access.policy import Decision, prerequisites
from accounts.models import SealedTOTPDevice, User
from audit.services import event_record
from audit.tags import AuditTag

AUTH_STARTED_KEY = "auth_started_at"
SEEN_KEY = "seen_at"
OPEN_PATHS = ("/static/", "/account/sign-in/", "/account/sign-out/", "/account/invitation/")
MFA_PATHS = ("/account/mfa/",)
TRAINING_PATHS = ("/training/",)
SIGNED_OUT_REASONS = {"suspended", "inactive"}


TOTP_PERSISTENT_PREFIX = f"{SealedTOTPDevice.model_label()}/"


class VerifiedDeviceMiddleware(OTPMiddleware):
    """django-otp's middleware (`request.user.is_verified()`), without a query of its own for the usual factor.

    `accounts.backends.AccountBackend` reads, in the same statement as the user, the id of their
    confirmed authenticator app. When the session was verified by that device, it is the device
    django-otp would load, and it still exists, is confirmed and is this person's: nothing more to
    ask. A deleted or unconfirmed device drops out of that column on the very next request, so the
    check is as fresh as django-otp's own. Any other device (a passkey, a second authenticator) goes
    the django-otp way, loaded by its persistent id.
    """

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        if user.is_authenticated:
            device_id = getattr(user, "confirmed_totp_device_id", None)
            if device_id is not None and request.session.get(DEVICE_ID_SESSION_KEY) == (
                f"{TOTP_PERSISTENT_PREFIX}{device_id}"
            ):
                self._init_user_fields(user)
                # Loaded only if something asks for the device itself (is_verified() does not).
                user.otp_device = SimpleLazyObject(lambda: SealedTOTPDevice.objects.get(pk=device_id))
                return user
        return super()._verify_user_sync(request, user)


class NoStoreMiddleware:
    """Every page and answer this service gives is kept by no browser and no proxy (`no-store`); only the
    static assets, which WhiteNoise answers before this layer, are cached.

    It was set for signed-in requests only, decided after the view: a refusal that signs the person out
    (a suspension, a closed account) had made the request anonymous by then, yet named them and their LA,
    and went out with no Cache-Control at all. What an anonymous page loses by not being cached is nothing
    worth that (found by the session 37 review)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-store, private, max-age=0"
        return response


class AccountGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or request.path_info.startswith(OPEN_PATHS):
            return self.get_response(request)

        started = request.session.get(AUTH_STARTED_KEY)
        if started is None or time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
            event_record(tag=AuditTag.SessionExpired, actor=user)
            logout(request)
            return redirect("accounts:login")

        decision = prerequisites(user)
        if decision.reason == "training_lapsed":
            return self._to_training(request, user)
        if not decision:
            verified = user.is_verified()  # type: ignore[attr-defined]  # asked before any sign-out
            if decision.reason in SIGNED_OUT_REASONS:
                logout(request)
            if not verified:
                return _refused_before_second_factor(request, decision, user)
            return denied(request, decision, action=Permission.ServiceUse, actor=user)

        if not user.is_verified() and not request.path_info.startswith(MFA_PATHS):  # type: ignore[attr-defined]
            return redirect("accounts:mfa")
        _renew_idle_expiry(request)
        return self.get_response(request)

    def _to_training(self, request: HttpRequest, user: User) -> HttpResponse:
        """Lapsed training is the one lapse a person can mend themselves: after the second factor they
        are sent to the course (its pages alone answer them), not refused. Every other page stays shut."""
        if not user.is_verified():  # type: ignore[attr-defined]
            return (
                self.get_response(request)
                if request.path_info.startswith(MFA_PATHS)
                else redirect("accounts:mfa")
            )
        if request.path_info.startswith(TRAINING_PATHS):
            _renew_idle_expiry(request)
            return self.get_response(request)
        return redirect("training:course")


def _refused_before_second_factor(request: HttpRequest, decision: Decision, user: User) -> HttpResponse:
    """The vetting refusal of a session that has not proved its second factor: refused first, so a
    suspended or lapsed account starts no second-factor ceremony, but told nothing of the account (why it
    is refused, its organisation, its LA) until both factors are proved: the password alone may be a
    stranger's. Audited as `access.http.denied` audits the full refusal, reason and all."""
    event_record(
        tag=AuditTag.AccessDenied,
        actor=user,
        additional={"action": str(Permission.ServiceUse), "reason": decision.reason},
    )
    return render(request, "accounts/refused_before_second_factor.html", status=403)


def _renew_idle_expiry(request: HttpRequest) -> None:
    """Push the server-side idle expiry (SESSION_COOKIE_AGE) forward, at most once a renewal interval.

    Changing the session makes SessionMiddleware save it with a fresh expiry date; requests in between
    write nothing. The session therefore ends at most SESSION_COOKIE_AGE after the last request (and
    at least SESSION_COOKIE_AGE - SESSION_RENEW_SECONDS), never later.
    """
    now = time.time()
    seen = request.session.get(SEEN_KEY)
    if seen is None or now - seen >= settings.SESSION_RENEW_SECONDS:
        request.session[SEEN_KEY] = now
