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

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import DatabaseError, connections, router


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
