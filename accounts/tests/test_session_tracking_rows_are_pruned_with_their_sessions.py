"""`manage.py clearsessions` (hourly, docs/DEPLOYMENT.md) also deletes the tracking rows of sessions that no
longer exist (a review's finding, session 36): a sign-out or an expiry deleted the session but kept its
`UserSession` row, so the table grew without end and ending an account's sessions read every key it ever
had. A row younger than a day is kept whatever: a session being made may be tracked a moment before its
own row is written, and a session untracked would escape a suspension."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from accounts.models import UserSession


def _tracked(world, key: str, *, age: timedelta, session_expires: timedelta | None) -> None:
    if session_expires is not None:
        Session.objects.create(session_key=key, session_data="", expire_date=timezone.now() + session_expires)
    row = UserSession.objects.create(user=world.alice, session_key=key)
    UserSession.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)


def test_clearsessions_deletes_the_tracking_of_sessions_gone_or_expired_and_keeps_the_rest(world):
    _tracked(world, "gone-old", age=timedelta(days=3), session_expires=None)  # signed out long ago
    _tracked(world, "expired-old", age=timedelta(days=3), session_expires=-timedelta(hours=1))
    _tracked(world, "live-old", age=timedelta(days=3), session_expires=timedelta(hours=1))
    _tracked(world, "gone-new", age=timedelta(minutes=1), session_expires=None)  # being made
    call_command("clearsessions")
    assert set(UserSession.objects.values_list("session_key", flat=True)) == {"live-old", "gone-new"}
    assert set(Session.objects.values_list("session_key", flat=True)) == {"live-old"}
