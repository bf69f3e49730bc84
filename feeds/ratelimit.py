"""A per-source request limit on the feeds API: FEED_API_REQUESTS_PER_MINUTE for each feed source.

One misbehaving (or compromised) source must not starve the others or the practitioners' searches of the
workers and database. Windows are calendar minutes counted in the shared cache (Redis in production, so
every app server agrees): a refused request is told exactly when the window ends (Retry-After). The first
refusal of each window is audited (`feed:api:rate_limited`, the source's identity and the limit only),
not every one: a source hammering the API must not be able to flood the audit log either.

A revoked or expired token presented again is refused (401) every time, but audited at most once a minute
per token (`refused_token_audit_due`): a revoked token's use is the sign that it leaked, and a leaked token hammering the
API must not flood the audit log either. Counted by the token's row id, never by the token itself.
A source the policy refuses (suspended, its organisation closed) is likewise refused (403) every time
and its `access:denied` audited at most once a minute per source (`refused_source_audit_due`).

A request presenting a token that is not live (unknown, guessed, malformed, revoked or expired) is counted
against its client address (`accounts.network.client_network`, trusted proxies as sign-in reads them):
past FEED_API_TOKEN_FAILURES_PER_ADDRESS in a 5-minute window such a token is refused 429 (with when the
window ends) instead of 401. Every token is still looked up, whatever its address's count: a live token
is answered and never counted. A feed token is 256 random bits, so there is no guessing for the limit to
stop; refusing live tokens with the rest let a stale job retrying a renewed token, or a neighbour behind
the same NAT or /64, keep a working source out for as long as it retried (review h10-1). What the limit
gives is a trace and a clear answer: the per-source limit below counts authenticated sources only, so
before it a failing client was answered 401 without end and left none. Failures and refusals are audited
once a minute per address (`token_failed_audit_due`, `token_address_limited_audit_due`).

Runs as a django-ninja throttle, i.e. after the token is checked and before the body is parsed, so a
refused 5,000-row batch costs no validation.

Requests a minute do not bound the workers a source holds: a batch request may ingest for ROWS_SECONDS
on a sync worker. So a source has at most FEED_API_REQUESTS_IN_FLIGHT batch requests running at once
(`request_slot`), and one batch is ingested by one request at a time (`batch_hold`): a client that timed
out and resends the batch is answered at once instead of queueing behind the first request's row locks.
Both are keys added to the shared cache only if absent (Redis SET NX), each with a lifetime longer than
a request may run: a worker killed mid-request cannot keep its slot or its batch for more than that.
"""

import hashlib
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from accounts.ratelimit import Limiter, OncePerWindow
from audit.services import event_record
from audit.tags import AuditTag
from feeds.models import FeedSource

WINDOW_SECONDS = 60


def requests_per_minute() -> int:
    return int(settings.FEED_API_REQUESTS_PER_MINUTE)


def _now() -> float:
    return time.time()


def seconds_to_next_window() -> int:
    return max(1, WINDOW_SECONDS - int(_now()) % WINDOW_SECONDS)


REFUSED_TOKEN = OncePerWindow("feeds.refused_token", WINDOW_SECONDS)
# A source the policy refuses (suspended, organisation closed, ...) is refused every time but audited
# once a minute per source, as a revoked token is: a suspended system left retrying must not flood the log.
REFUSED_SOURCE = OncePerWindow("feeds.refused_source", WINDOW_SECONDS)


# A batch id sent again with different content (409) is refused every time, audited once a minute per
# source: a source's bug resending it in a loop must not flood the log, nor go unrecorded.
BATCH_CONFLICT = OncePerWindow("feeds.batch_conflict", WINDOW_SECONDS)


def refused_token_audit_due(token_id: int) -> tuple[bool, int]:
    """Counts one use of the refused (revoked or expired) token `token_id` in the current minute: whether this use
    is to be audited (the first of the minute), and how often the token was refused in the minute before
    (the uses not audited one by one are counted in the next event that is)."""
    return REFUSED_TOKEN.due(str(token_id), now=_now())


def refused_source_audit_due(source_id: int) -> tuple[bool, int]:
    """As `refused_token_audit_due`, for a refusal of the source `source_id` by the policy."""
    return REFUSED_SOURCE.due(str(source_id), now=_now())


# Token authentications that failed, counted per client address in calendar windows of this length (the
# window `login.ip` counts a person's failed sign-ins in), so a refusal can say exactly when it ends.
TOKEN_FAILURE_WINDOW_SECONDS = 5 * 60
TOKEN_FAILED = OncePerWindow("feeds.token_failed", WINDOW_SECONDS)
TOKEN_ADDRESS_LIMITED = OncePerWindow("feeds.token_address_limited", WINDOW_SECONDS)


def token_failures_per_address() -> int:
    return int(settings.FEED_API_TOKEN_FAILURES_PER_ADDRESS)


def seconds_to_next_token_window() -> int:
    return max(1, TOKEN_FAILURE_WINDOW_SECONDS - int(_now()) % TOKEN_FAILURE_WINDOW_SECONDS)


def token_failure_over_limit(address: str) -> bool:
    """Count one token from `address` that was looked up and found not live: whether the address is now
    past its failures this window (refuse it 429, not 401). Counted only *after* the look-up, and only
    for a token that failed, never for a live one: counting every request first and giving a live one
    back let a live request racing a failure at the limit be the one over it. One atomic increment, so
    failures arriving together are counted exactly and those past the limit are refused however many."""
    limiter = Limiter(
        "feeds.token_address",
        limit=token_failures_per_address(),
        window_seconds=TOKEN_FAILURE_WINDOW_SECONDS * 2,
    )
    return limiter.hit(f"{address}|{int(_now()) // TOKEN_FAILURE_WINDOW_SECONDS}") > limiter.limit


def token_failed_audit_due(address: str) -> tuple[bool, int]:
    """As `refused_token_audit_due`, for a token that failed to authenticate from `address`."""
    return TOKEN_FAILED.due(address, now=_now())


def token_address_limited_audit_due(address: str) -> tuple[bool, int]:
    """As `refused_token_audit_due`, for a token that is not live refused 429 from `address` past its failures."""
    return TOKEN_ADDRESS_LIMITED.due(address, now=_now())


# A slot or a batch hold lives `in_flight_seconds()` unless given back first: longer than any request runs.
# gunicorn kills a request after GUNICORN_TIMEOUT (30 s by default, set per deployment), so the lifetime is
# that and IN_FLIGHT_MARGIN_SECONDS more, never less than IN_FLIGHT_SECONDS. A fixed 60 s let a request
# under a longer timeout outlive its slot (one request more in flight than the cap) and its batch hold (a
# resend began ingesting the batch beside it).
IN_FLIGHT_SECONDS = 60
IN_FLIGHT_MARGIN_SECONDS = 30
# What a source refused for having its most requests in flight is told to wait: about one row's work
# after its running requests' ROWS_SECONDS begin to end, without sleeping in a retry loop.
IN_FLIGHT_RETRY_SECONDS = 5


def requests_in_flight_most() -> int:
    return int(settings.FEED_API_REQUESTS_IN_FLIGHT)


# With GUNICORN_TIMEOUT 0 gunicorn kills no request (no bound): a slot then lives this long.
IN_FLIGHT_UNBOUNDED_SECONDS = 3600


def in_flight_seconds() -> int:
    """How long a slot or a batch hold lives if its request never gives it back (a killed worker): longer
    than gunicorn lets a request run, or an hour when it sets no bound (a timeout of 0)."""
    timeout = int(settings.GUNICORN_TIMEOUT)
    if timeout <= 0:
        return IN_FLIGHT_UNBOUNDED_SECONDS
    return max(IN_FLIGHT_SECONDS, timeout + IN_FLIGHT_MARGIN_SECONDS)


def _held_key_take(key: str) -> str | None:
    """`key` taken with a ticket of this request's own (the ticket), or None if another holds it."""
    ticket = uuid.uuid4().hex
    return ticket if cache.add(key, ticket, timeout=in_flight_seconds()) else None


def _held_key_give_back(key: str, ticket: str) -> None:
    """Give `key` back if this request still holds it. Read then deleted (not atomic): the key can have
    changed hands in between only if it outlived `in_flight_seconds()`, i.e. its request outran gunicorn's
    timeout and was not killed by it."""
    if cache.get(key) == ticket:
        cache.delete(key)


def _slot_key(source_id: int, slot: int) -> str:
    return f"feeds.in_flight:{source_id}:{slot}"


def request_slot_take(source_id: int) -> tuple[str, str] | None:
    """One of the source's FEED_API_REQUESTS_IN_FLIGHT slots, as (key, ticket), or None: all are taken."""
    for slot in range(requests_in_flight_most()):
        key = _slot_key(source_id, slot)
        if ticket := _held_key_take(key):
            return key, ticket
    return None


@contextmanager
def request_slot(source_id: int) -> Iterator[bool]:
    """Whether the request got one of its source's slots; held while the block runs, however it ends."""
    taken = request_slot_take(source_id)
    try:
        yield taken is not None
    finally:
        if taken is not None:
            _held_key_give_back(*taken)


@contextmanager
def batch_hold(source_id: int, batch_id: str) -> Iterator[bool]:
    """Whether this request holds the batch (no other request is ingesting it); kept while the block runs.
    The batch id is hashed: any id the API takes makes a valid cache key."""
    key = f"feeds.batch:{source_id}:{hashlib.sha256(batch_id.encode()).hexdigest()[:32]}"
    ticket = _held_key_take(key)
    try:
        yield ticket is not None
    finally:
        if ticket is not None:
            _held_key_give_back(key, ticket)


def batch_conflict_audit_due(source_id: int) -> tuple[bool, int]:
    """As `refused_token_audit_due`, for a batch id the source `source_id` reused for other content."""
    return BATCH_CONFLICT.due(str(source_id), now=_now())


class SourceRateThrottle(BaseThrottle):
    """Counts each authenticated source's requests in the current minute; refuses above the limit."""

    def allow_request(self, request: HttpRequest) -> bool:
        source = getattr(request, "auth", None)
        if not isinstance(source, FeedSource):
            return True  # no token, no source: authentication has already answered 401
        limit = requests_per_minute()
        window = int(_now()) // WINDOW_SECONDS
        count = Limiter("feeds.source", limit=limit, window_seconds=WINDOW_SECONDS * 2).hit(
            f"{source.pk}:{window}"
        )
        if count == limit + 1:
            event_record(
                tag=AuditTag.FeedRateLimited,
                actor=source.user,
                additional={"source": source.code, "limit_per_minute": limit},
            )
        return count <= limit

    def wait(self) -> float:
        return float(seconds_to_next_window())
