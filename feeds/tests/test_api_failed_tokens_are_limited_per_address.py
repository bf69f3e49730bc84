"""Tokens that fail to authenticate are counted per address, refused (429) past a limit, and audited.

A person's failed sign-ins are limited per address (`login.ip`) and audited. The feeds API's request limit
counts authenticated sources only, and only revoked or expired tokens were audited: a guessed, truncated
or malformed token was answered 401 every time, each with a token lookup, and left no trace (review h3-F1).
Now every request presenting a token that is not live counts against its address
(`FEED_API_TOKEN_FAILURES_PER_ADDRESS` a 5-minute window); past it such a token is answered 429 with
Retry-After instead of 401. The token is still looked up: a live token is answered and never counted (a
256-bit token cannot be guessed, so refusing it protected nothing and kept sources sharing the address
out: review h10-1, `test_api_a_live_token_is_answered_from_an_address_over_its_failed_token_limit`).
Failures and refusals are audited once a minute per address, never with the token.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import TAG_LABELS, AuditTag
from feeds.models import FeedToken
from feeds.sources import feed_token_issue, feed_token_revoke
from feeds.tests.factories import health_source

URL = "/api/feeds/v1/batches/{}"
# 12:01:15 on some day: 15 seconds into a minute, 3 minutes 45 seconds left of its 5-minute window.
NOON = 1_796_212_875.0
ATTACKER = "203.0.113.9"


@pytest.fixture
def clock(monkeypatch):
    now = {"t": NOON}
    monkeypatch.setattr("feeds.ratelimit._now", lambda: now["t"])
    return now


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.FEED_API_TOKEN_FAILURES_PER_ADDRESS = 10
    settings.FEED_API_REQUESTS_PER_MINUTE = 1000


def _get(client, authorization: str | None, address: str = ATTACKER, **extra):
    headers = {"Authorization": authorization} if authorization is not None else {}
    return client.get(URL.format("x"), headers=headers, REMOTE_ADDR=address, **extra)


def _guess(live: str, n: int) -> str:
    return live[:8] + f"{n:043d}"  # a real source's listed prefix, guessed on


def _events(tag):
    return list(AuditEvent.objects.filter(tag=tag).order_by("pk"))


def test_guessed_tokens_from_one_address_are_refused_with_429_past_the_limit(client, world, clock):
    live = feed_token_issue(source=health_source(world))
    assert [_get(client, f"Bearer {_guess(live, n)}").status_code for n in range(10)] == [401] * 10
    refused = _get(client, f"Bearer {_guess(live, 10)}")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "225"
    assert refused.json() == {
        "detail": "The token presented is not a live feed token, and too many requests from this address "
        "have presented one that is not: at most 10 in 5 minutes. A live token is still accepted from this "
        "address; tokens that are not live are refused with 429 until the window ends in 225 seconds.",
        "retry_after_seconds": 225,
    }


def test_a_limited_address_still_has_its_token_looked_up(client, world, clock):
    """A live token from a limited address must be answered, so every token is looked up: a guess is
    refused 429 after its look-up, never before it."""
    live = feed_token_issue(source=health_source(world))
    for n in range(10):
        _get(client, f"Bearer {_guess(live, n)}")
    with CaptureQueriesContext(connection) as queries:
        assert _get(client, f"Bearer {_guess(live, 99)}").status_code == 429
    assert [q for q in queries.captured_queries if "feeds_feedtoken" in q["sql"]]


def test_a_live_token_from_a_limited_address_is_answered_and_guesses_refused_until_the_window_ends(
    client, world, clock
):
    live = feed_token_issue(source=health_source(world))
    for n in range(10):
        _get(client, f"Bearer {_guess(live, n)}")
    assert _get(client, f"Bearer {live}").status_code == 404  # authenticated: no such batch
    assert _get(client, f"Bearer {_guess(live, 10)}").status_code == 429
    clock["t"] = NOON + 225  # the next 5-minute window
    assert _get(client, f"Bearer {_guess(live, 11)}").status_code == 401
    assert _get(client, f"Bearer {live}").status_code == 404


def test_another_address_is_not_limited_by_the_first(client, world, clock):
    live = feed_token_issue(source=health_source(world))
    for n in range(11):
        _get(client, f"Bearer {_guess(live, n)}")
    assert _get(client, f"Bearer {live}", address="198.51.100.7").status_code == 404
    assert _get(client, f"Bearer {_guess(live, 0)}", address="198.51.100.7").status_code == 401


def test_behind_trusted_proxies_each_client_address_is_counted_apart(client, world, clock, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    live = feed_token_issue(source=health_source(world))
    proxy = "10.0.0.1"
    for n in range(11):
        _get(client, f"Bearer {_guess(live, n)}", address=proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    # The attacker cannot escape by writing another address to the left of the one the proxy wrote.
    forged = _get(
        client, f"Bearer {_guess(live, 11)}", address=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ATTACKER}"
    )
    assert forged.status_code == 429
    # Another client behind the same proxy is counted apart: its failed token is its first (401).
    other = _get(client, f"Bearer {_guess(live, 12)}", address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code == 401


def test_live_tokens_do_not_count_towards_the_limit(client, world, clock):
    live = feed_token_issue(source=health_source(world))
    for _ in range(30):
        assert _get(client, f"Bearer {live}").status_code == 404
    assert [_get(client, f"Bearer {_guess(live, n)}").status_code for n in range(10)] == [401] * 10


def test_malformed_revoked_and_expired_tokens_count_too(client, world, clock):
    source = health_source(world)
    revoked = feed_token_issue(source=source)
    feed_token_revoke(token=FeedToken.objects.get())
    expired = feed_token_issue(source=source, days=1)
    FeedToken.objects.filter(revoked_at__isnull=True).update(expires_at=timezone.now() - timedelta(seconds=1))
    tried = [
        "Basic dXNlcjpwYXNz",  # another scheme
        "Bearer",  # no token
        "Bearer not-a-feed-token",
        f"Bearer {revoked}",
        f"Bearer {expired}",
    ] * 2
    assert [_get(client, authorization).status_code for authorization in tried] == [401] * 10
    assert _get(client, "Bearer not-a-feed-token").status_code == 429


def test_requests_without_any_token_are_not_counted(client, world, clock):
    """A probe or a client not yet configured presents nothing to guess with: 401, never locking out the
    address a source may share with it."""
    live = feed_token_issue(source=health_source(world))
    assert {_get(client, None).status_code for _ in range(30)} == {401}
    assert _get(client, f"Bearer {live}").status_code == 404


def test_failed_tokens_are_audited_once_a_minute_per_address_without_the_token(client, world, clock):
    live = feed_token_issue(source=health_source(world))
    guesses = [_guess(live, n) for n in range(30)]
    for guess in guesses:
        _get(client, f"Bearer {guess}")
    [failed] = _events(AuditTag.FeedTokenFailed)
    [limited] = _events(AuditTag.FeedTokenAddressLimited)
    assert failed.actor_id is None and limited.actor_id is None
    assert failed.additional["reason"] == "not_live"
    assert limited.additional["limit"] == 10
    # The same address reads as the same token in both, never in clear; no guess is kept in any form.
    assert failed.additional["address_token"] == limited.additional["address_token"]
    for event in (failed, limited):
        text = str(event.additional)
        assert ATTACKER not in text and live[:8] not in text
        assert not any(guess in text for guess in guesses)

    clock["t"] = NOON + 60  # the next minute: still limited, audited again with the count of the one before
    _get(client, f"Bearer {_guess(live, 31)}")
    assert _events(AuditTag.FeedTokenAddressLimited)[-1].additional["refused_in_the_minute_before"] == 20


def test_the_new_audit_events_have_labels():
    assert TAG_LABELS[AuditTag.FeedTokenFailed]
    assert TAG_LABELS[AuditTag.FeedTokenAddressLimited]
