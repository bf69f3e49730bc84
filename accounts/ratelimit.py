"""Named rate limiters over the shared cache (Redis in production), so every app server agrees.

Fixed windows keyed by limiter name and subject; a subject is hashed so usernames and IP addresses
never sit in the cache in clear.
"""

import hashlib
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from accounts.usernames import USERNAME_MAX_LENGTH
from vault.blind_index import blind_token


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

    def give_back(self, subject: str) -> None:
        """Uncount one attempt `attempts_take` counted (it passed, or another limiter refused it).

        A window that ended meanwhile has nothing to give back: no key is made, and none goes below zero.
        """
        key = self._key(subject)
        client = _redis_client()
        if client is not None:
            client.register_script(_GIVE_BACK_SCRIPT)(keys=[cache.make_and_validate_key(key)])
            return
        try:
            if cache.decr(key) < 0:  # reset meanwhile and counted again from zero
                cache.incr(key)
        except ValueError:  # expired or reset meanwhile
            pass


@dataclass(frozen=True)
class OncePerWindow:
    """Refusals counted per calendar window of `window_seconds`, each window kept for two: the first
    refusal of a window is to be audited, with how many there were in the window before. Something
    refused every time without a check (a locked sign-in, a revoked token, a refused feed source) must
    not be able to write an audit event per request, nor go unrecorded."""

    name: str
    window_seconds: int = 60

    def due(self, subject: str, *, now: float) -> tuple[bool, int]:
        """Count one refusal of `subject` at `now`: (audit it?, refusals of `subject` the window before)."""
        counter = Limiter(self.name, limit=1, window_seconds=self.window_seconds * 2)
        window = int(now) // self.window_seconds
        first = counter.hit(f"{subject}|{window}") == 1
        return first, (counter.count(f"{subject}|{window - 1}") if first else 0)


def attempts_take(*asks: tuple[Limiter, str]) -> list[int] | None:
    """Count one attempt against each (limiter, subject) *before* it is checked: the counts taken, or None
    (nothing counted) when any limiter had already reached its limit.

    Checking `exceeded` first and counting a failure after the (slow) password check let every request
    arriving together pass the check: a burst of guesses was limited by nothing. Counted first, the
    requests beyond the limit are refused however many arrive at once. The caller gives the attempts
    back (`attempts_give_back`) when they succeed, so only failures stay counted, as before.
    """
    taken: list[tuple[Limiter, str]] = []
    counts: list[int] = []
    for limiter, subject in asks:
        count = limiter.hit(subject)
        taken.append((limiter, subject))
        if count > limiter.limit:
            attempts_give_back(*taken)
            return None
        counts.append(count)
    return counts


def attempts_give_back(*asks: tuple[Limiter, str]) -> None:
    """Uncount attempts `attempts_take` counted: they succeeded, so they are not failures."""
    for limiter, subject in asks:
        limiter.give_back(subject)


# Count a hit and start the fixed window on the first one (INCR then EXPIRE, atomically).
_HIT_SCRIPT = (
    "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n"
)
# Uncount one hit of a live window (DECR keeps its expiry); never create a key or go below zero.
_GIVE_BACK_SCRIPT = (
    "local n = tonumber(redis.call('GET', KEYS[1]) or '0') "
    "if n > 0 then return redis.call('DECR', KEYS[1]) end return 0"
)


def _redis_client() -> Any:
    """The raw client behind Django's Redis cache, or None for any other cache (development, tests)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(write=True)  # type: ignore[attr-defined]
    return None


LOGIN_IP = Limiter("login.ip", limit=10, window_seconds=5 * 60)
LOGIN_USER = Limiter("login.user", limit=10, window_seconds=5 * 60)
REFUSAL_AUDIT_SECONDS = 60
LOGIN_REFUSED = OncePerWindow("login.refused", REFUSAL_AUDIT_SECONDS)
INVITATION_REFUSED = OncePerWindow("invitation.refused", REFUSAL_AUDIT_SECONDS)
MFA_REFUSED = OncePerWindow("mfa.refused", REFUSAL_AUDIT_SECONDS)
MFA_USER = Limiter("mfa.user", limit=10, window_seconds=5 * 60)
# A signed-in session's own failed password checks (step-up, current password), wherever they come from:
# only these end the session. `login.user` counts anyone's failures for the name, a stranger's too.
STEP_UP_SESSION = Limiter("stepup.session", limit=LOGIN_USER.limit, window_seconds=LOGIN_USER.window_seconds)
STEP_UP_REFUSED = OncePerWindow("stepup.refused", REFUSAL_AUDIT_SECONDS)
SEARCH_USER = Limiter("search.user", limit=60, window_seconds=60)


OVERLONG_PREFIX = "#overlong:"  # "#" is in no username (Django's validator), so no account's name


def username_overlong(raw: str) -> bool:
    """Longer, once stripped, than any username can be: such a name never signs in (Django's UsernameField
    leaves it as typed, and no account has it), so it is never normalised here either."""
    return len(raw.strip()) > USERNAME_MAX_LENGTH


def canonical_username(raw: str) -> str:
    """The username as sign-in looks it up: stripped and NFKC-normalised (Django's UsernameField).

    Counting failures against any other form would give "alice " or its full-width spelling ten
    fresh tries each at alice's password.

    A name longer than any username can be is never normalised: NFKC can make a string 18 times longer and
    is slow, and the name may be megabytes of a sign-in body (CVE-2023-46695, in Django's own field). It
    stands for itself by a hash of its raw form instead, never the name of an account.
    """
    if username_overlong(raw):
        digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
        return f"{OVERLONG_PREFIX}{digest}"
    return unicodedata.normalize("NFKC", raw.strip()).strip()


def login_subject(raw_username: str) -> str:
    """The subject `login.user` counts against: the canonical name, case-folded, whether or not an
    account has it.

    Every spelling that signs in as an account (spaces, full-width letters) has its canonical name, so
    the variants share one counter. Keying an existing account by its id instead, and only unknown
    names by name, made the lock itself an enumeration oracle: "ALICE" is no account, so it counted apart
    from alice's id but together with "alice" had alice not existed. Names differing only in case are one
    account's at most (the look-alike rule, `accounts.usernames`), so the name is as good as the id.
    """
    return f"name:{canonical_username(raw_username).casefold()}"


def login_username_token(name: str) -> str:
    """The blind token of a name tried at sign-in, as its audit events carry it (never the name itself):
    a failed sign-in's and the lockout's refusals name the same account by the same token.

    `name` is the name as sign-in read it (`canonical_username`); one longer than any username (an
    overlong name as typed) is tokenised by its hash (`canonical_username` of it), never lower-cased whole.
    """
    if username_overlong(name):
        name = canonical_username(name)
    return blind_token("login-username", name.lower())


def refusal_audit_due(lock: str) -> tuple[bool, int]:
    """Counts one sign-in refused by `lock` (a limiter's name and subject) in the current minute: whether
    to audit it (the first of the minute), and how many `lock` refused in the minute before.

    Once locked, a refusal costs no password check: audited one by one, anyone could write an audit
    event per request without end (`OncePerWindow`, as for revoked feed tokens).
    """
    return LOGIN_REFUSED.due(lock, now=time.time())
