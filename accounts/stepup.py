"""Step-up: sensitive actions need a password and second-factor proof from the last 15 minutes."""

import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

REAUTH_KEY = "reauthenticated_at"


def recently_authenticated(request: HttpRequest) -> bool:
    proved = request.session.get(REAUTH_KEY)
    return proved is not None and time.time() - proved <= settings.REAUTH_VALID_SECONDS


def mark_reauthenticated(request: HttpRequest, *, password_at: float | None = None) -> None:
    """Both factors were just proved; with `password_at`, only the second factor was, the password then.

    Step-up is a password and a second factor within `REAUTH_VALID_SECONDS`, so it dates from the older
    proof. The sign-in code page passes the time its password was accepted: a password-only session can
    be kept open on that page for hours, and a code typed there must not make a stale password fresh.
    """
    now = time.time()
    request.session[REAUTH_KEY] = now if password_at is None else min(now, password_at)


def step_up(request: HttpRequest) -> HttpResponse | None:
    """A redirect to re-authenticate if the last proof is too old; None when it is fresh.

    Views call it after the policy has allowed the action, so a refusal is never hidden behind it.
    A POST cannot be replayed after the detour, so it returns to the page the form was on.
    """
    if recently_authenticated(request):
        return None
    next_path = request.get_full_path() if request.method == "GET" else _form_page(request)
    return redirect(f"{reverse('accounts:reauthenticate')}?{urlencode({'next': next_path})}")


def _form_page(request: HttpRequest) -> str:
    """The page a form was sent from, as a path on this site: browsers send `Referer` as a full URL,
    and the step-up's `next` takes a path only. A page on another site (or no page) is the home page."""
    try:
        referer = urlsplit(str(request.META.get("HTTP_REFERER", "")))
    except ValueError:  # e.g. "http://[" : not a URL at all
        return "/"
    if referer.scheme not in ("http", "https") or referer.netloc != request.get_host():
        return "/"
    path = referer.path if referer.path.startswith("/") and not referer.path.startswith("//") else "/"
    return f"{path}?{referer.query}" if referer.query else path
