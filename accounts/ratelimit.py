"""Named rate limiters over the shared cache (Redis in production), so every app server agrees.

Fixed windows keyed by limiter name and subject; a subject is hashed so usernames and IP addresses
never sit in the cache in clear.
"""

import hashlib
import unicodedata
from dataclasses import dataclass

from django.core.cache import cache

from accounts.models import User


@dataclass(frozen=True)
class Limiter:
    name: str
    limit: int
    window_seconds: int

    def _key(self, subject: str) -> str:
        digest = hashlib.sha256(subject.lower().encode()).hexdigest()[:32]
        return f"rl:{self.name}:{digest}"

    def count(self, subject: str) -> int:
        return int(cache.get(self._key(subject), 0))

    def exceeded(self, subject: str) -> bool:
        """True once `limit` failures are recorded: the next attempt is refused unchecked."""
        return self.count(subject) >= self.limit

    def hit(self, subject: str) -> int:
        key = self._key(subject)
        if cache.add(key, 1, timeout=self.window_seconds):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=self.window_seconds)
            return 1

    def reset(self, subject: str) -> None:
        cache.delete(self._key(subject))


LOGIN_IP = Limiter("login.ip", limit=10, window_seconds=5 * 60)
LOGIN_USER = Limiter("login.user", limit=10, window_seconds=5 * 60)
MFA_USER = Limiter("mfa.user", limit=10, window_seconds=5 * 60)
SEARCH_USER = Limiter("search.user", limit=60, window_seconds=60)


def canonical_username(raw: str) -> str:
    """The username as sign-in looks it up: stripped and NFKC-normalised (Django's UsernameField).

    Counting failures against any other form would give "alice " or its full-width spelling ten
    fresh tries each at alice's password.
    """
    return unicodedata.normalize("NFKC", raw.strip()).strip()


def login_subject(raw_username: str) -> str:
    """The subject `login.user` counts against: the account id when the account exists, else the
    canonical name (case-folded), so unknown names lock the same way and variants share one counter."""
    name = canonical_username(raw_username)
    # No account name holds NUL, and PostgreSQL refuses it in a query: count it by name.
    user_id = (
        None if "\x00" in name else User.objects.filter(username=name).values_list("pk", flat=True).first()
    )
    return f"user:{user_id}" if user_id is not None else f"name:{name.casefold()}"
