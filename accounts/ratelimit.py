"""Named rate limiters over the shared cache (Redis in production), so every app server agrees.

Fixed windows keyed by limiter name and subject; a subject is hashed so usernames and IP addresses
never sit in the cache in clear.
"""

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

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
        client = _redis_client()
        if client is not None:
            # One round trip, atomic: Django's add-then-incr costs three against Redis.
            script = client.register_script(_HIT_SCRIPT)
            return int(script(keys=[cache.make_and_validate_key(key)], args=[self.window_seconds]))
        if cache.add(key, 1, timeout=self.window_seconds):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=self.window_seconds)
            return 1

    def reset(self, subject: str) -> None:
        cache.delete(self._key(subject))


# Count a hit and start the fixed window on the first one (INCR then EXPIRE, atomically).
_HIT_SCRIPT = (
    "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n"
)


def _redis_client() -> Any:
    """The raw client behind Django's Redis cache, or None for any other cache (development, tests)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(write=True)  # type: ignore[attr-defined]
    return None


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
