"""Django's database sessions, renewing an existing session in one statement instead of three.

Django wraps every session save in `transaction.atomic()`, so that a failed INSERT of a new session
cannot break a caller's transaction. Renewing an existing session is one UPDATE, atomic on its own:
outside a transaction (the session middleware, after the view) the wrapper only adds a BEGIN and a
COMMIT, two database round trips on every search (its results are kept in the session). Here the
UPDATE runs alone in autocommit. Nothing else changes: a session deleted meanwhile (a suspension,
a second factor reset: `accounts.services.sessions_end_all`) still updates no row and raises
`UpdateError`, so it is never written back; new sessions and saves inside a transaction go through
Django's own code.
"""

from datetime import timedelta

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import DatabaseError, connections, router
from django.db.models import Exists, OuterRef
from django.utils import timezone

# A tracking row this old with no session is one whose session ended (signed out, expired, ended). A younger
# one may be a session being made, tracked a moment before its own row is written: deleting that would let
# the session escape a suspension, so it is left to a later run.
TRACKING_KEPT_AT_LEAST = timedelta(days=1)


class SessionStore(db.SessionStore):
    def save(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None:
            return super().save(must_create)
        obj = self.create_model_instance(self._get_session())  # type: ignore[attr-defined]
        using = router.db_for_write(self.model, instance=obj)
        if connections[using].in_atomic_block:
            return super().save(must_create)
        try:
            obj.save(force_update=True, using=using)
        except DatabaseError as error:
            raise UpdateError from error
        return None

    @classmethod
    def clear_expired(cls) -> None:
        """Django's (the expired sessions), then the tracking rows of sessions that no longer exist
        (`accounts.models.UserSession`: kept by a sign-out or an expiry, they grew without end and ending
        an account's sessions read every key it ever had). Run hourly by `manage.py clearsessions`."""
        super().clear_expired()
        # Models, imported when first used: this module is the session engine, loaded by name.
        from django.contrib.sessions.models import Session

        from accounts.models import UserSession

        UserSession.objects.filter(
            created_at__lt=timezone.now() - TRACKING_KEPT_AT_LEAST,
        ).exclude(Exists(Session.objects.filter(session_key=OuterRef("session_key")))).delete()
