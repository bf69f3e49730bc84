"""Step-up: sensitive actions need a password and second-factor proof from the last 15 minutes."""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

REAUTH_KEY = "reauthenticated_at"


def recently_authenticated(request: HttpRequest) -> bool:
    proved = request.session.get(REAUTH_KEY)
    return proved is not None and time.time() - proved <= settings.REAUTH_VALID_SECONDS


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session[REAUTH_KEY] = time.time()


def reauthentication_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not recently_authenticated(request):
            return redirect(
                f"{reverse('accounts:reauthenticate')}?{urlencode({'next': request.get_full_path()})}"
            )
        return view(request, *args, **kwargs)

    return wrapper
