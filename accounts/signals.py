"""Sign-in events: audit them (username only as a blind token) and track the session."""

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.middleware import AUTH_STARTED_KEY
from accounts.ratelimit import login_username_token
from accounts.services import session_track
from audit.services import event_record
from audit.tags import AuditTag


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    request.session[AUTH_STARTED_KEY] = time.time()
    if request.session.session_key is None:
        request.session.save()
    session_track(user=user, session_key=str(request.session.session_key))
    event_record(tag=AuditTag.LoginSucceeded, actor=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        event_record(tag=AuditTag.LoggedOut, actor=user)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))
    event_record(
        tag=AuditTag.LoginFailed,
        actor=None,
        additional={"username_token": login_username_token(username)},
    )
