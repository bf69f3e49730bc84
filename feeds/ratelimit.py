"""A per-source request limit on the feeds API: FEED_API_REQUESTS_PER_MINUTE for each feed source.

One misbehaving (or compromised) source must not starve the others or the practitioners' searches of the
workers and database. Windows are calendar minutes counted in the shared cache (Redis in production, so
every app server agrees): a refused request is told exactly when the window ends (Retry-After). The first
refusal of each window is audited (`feed:api:rate_limited`, the source's identity and the limit only),
not every one: a source hammering the API must not be able to flood the audit log either.

A revoked token presented again is refused (401) every time, but audited at most once a minute per
token (`refused_token_audit_due`): its use is the sign that it leaked, and a leaked token hammering the
API must not flood the audit log either. Counted by the token's row id, never by the token itself.
A source the policy refuses (suspended, its organisation closed) is likewise refused (403) every time
and its `access:denied` audited at most once a minute per source (`refused_source_audit_due`).

Runs as a django-ninja throttle, i.e. after the token is checked and before the body is parsed, so a
refused 5,000-row batch costs no validation.
"""

import time

from django.conf import settings
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


def refused_token_audit_due(token_id: int) -> tuple[bool, int]:
    """Counts one use of the refused (revoked) token `token_id` in the current minute: whether this use
    is to be audited (the first of the minute), and how often the token was refused in the minute before
    (the uses not audited one by one are counted in the next event that is)."""
    return REFUSED_TOKEN.due(str(token_id), now=_now())


def refused_source_audit_due(source_id: int) -> tuple[bool, int]:
    """As `refused_token_audit_due`, for a refusal of the source `source_id` by the policy."""
    return REFUSED_SOURCE.due(str(source_id), now=_now())


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
