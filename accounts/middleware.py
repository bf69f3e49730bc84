"""Per-request account guards: session limits, vetting lapses, MFA, and no caching of pages.

Checked on every request, so a suspension, a lapsed check or an expired session bites at once.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from access.http import denied
from access.permissions import Permission
from access.policy import prerequisites
from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag

AUTH_STARTED_KEY = "auth_started_at"
SEEN_KEY = "seen_at"
OPEN_PATHS = ("/static/", "/account/sign-in/", "/account/sign-out/", "/account/invitation/")
MFA_PATHS = ("/account/mfa/",)
TRAINING_PATHS = ("/training/",)
SIGNED_OUT_REASONS = {"suspended", "inactive"}


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private, max-age=0"
        return response


class AccountGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or request.path.startswith(OPEN_PATHS):
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
            if decision.reason in SIGNED_OUT_REASONS:
                logout(request)
            return denied(request, decision, action=Permission.ServiceUse, actor=user)

        if not user.is_verified() and not request.path.startswith(MFA_PATHS):  # type: ignore[attr-defined]
            return redirect("accounts:mfa")
        _renew_idle_expiry(request)
        return self.get_response(request)

    def _to_training(self, request: HttpRequest, user: User) -> HttpResponse:
        """Lapsed training is the one lapse a person can mend themselves: after the second factor they
        are sent to the course (its pages alone answer them), not refused. Every other page stays shut."""
        if not user.is_verified():  # type: ignore[attr-defined]
            return (
                self.get_response(request) if request.path.startswith(MFA_PATHS) else redirect("accounts:mfa")
            )
        if request.path.startswith(TRAINING_PATHS):
            _renew_idle_expiry(request)
            return self.get_response(request)
        return redirect("training:course")


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
