"""A live token is answered from an address that has presented too many tokens that are not live (review h10-1).

Past `FEED_API_TOKEN_FAILURES_PER_ADDRESS` failures in a 5-minute window an address was refused (429)
before any token was looked up, a live one included: a stale job retrying a renewed token, or a neighbour
behind the same NAT or /64, kept a working source out for the rest of every window. A feed token is 256
random bits: there is no guessing for that refusal to stop. Now the token is looked up whatever the
address's count: a live token is answered (and never counted), a token that is not live is refused with
429 and Retry-After past the limit (audited once a minute, as before), and the 429 says what it refuses.
"""

from typing import Any

import pytest
from django.test import RequestFactory

import feeds.api
from audit.models import AuditEvent
from audit.tags import AuditTag
from feeds.api import AddressLimited, SourceToken
from feeds.models import FeedSource, FeedToken
from feeds.sources import feed_token_issue, feed_token_revoke
from feeds.tests.factories import health_source

URL = "/api/feeds/v1/batches/{}"
# 12:01:15 on some day: 15 seconds into a minute, 3 minutes 45 seconds left of its 5-minute window.
NOON = 1_796_212_875.0
SHARED_EGRESS = "198.51.100.20"  # one NAT address for a trust's systems


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    now = {"t": NOON}
    monkeypatch.setattr("feeds.ratelimit._now", lambda: now["t"])
    return now


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.FEED_API_TOKEN_FAILURES_PER_ADDRESS = 10
    settings.FEED_API_REQUESTS_PER_MINUTE = 1000


def _get(client, token: str, address: str = SHARED_EGRESS):
    return client.get(URL.format("x"), headers={"Authorization": f"Bearer {token}"}, REMOTE_ADDR=address)


def _guess(live: str, n: int) -> str:
    return live[:8] + f"{n:043d}"


def _authenticated(token: str) -> FeedSource | type[AddressLimited] | None:
    """What authenticating `token` from the shared address gives, asked outside the test client (so it can
    be asked while another request's token is being looked up): the source, None (401), or AddressLimited."""
    request = RequestFactory().get(URL.format("x"), HTTP_AUTHORIZATION=f"Bearer {token}")
    request.META["REMOTE_ADDR"] = SHARED_EGRESS
    try:
        return SourceToken()(request)
    except AddressLimited:
        return AddressLimited


def test_a_live_source_is_not_locked_out_by_a_stale_token_retried_from_its_address(client, world):
    source = health_source(world)
    old = feed_token_issue(source=source)
    feed_token_revoke(token=FeedToken.objects.get())  # renewed: the old job still retries with the old one
    live = feed_token_issue(source=source)
    # Ten retries in five minutes (one every 30 s), then the stale job is refused.
    assert [_get(client, old).status_code for _ in range(12)] == [401] * 10 + [429] * 2

    answers = [_get(client, live) for _ in range(5)]

    # A 256-bit token cannot be guessed: refusing the live one protects nothing and stops the feed.
    assert [answer.status_code for answer in answers] == [404] * 5
    assert answers[0].json() == {"detail": "no such batch from this source"}  # authenticated, answered
    assert _get(client, old).status_code == 429  # the stale job is still refused


def test_a_not_live_token_from_a_limited_address_is_told_so_and_that_a_live_token_is_still_answered(
    client, world
):
    live = feed_token_issue(source=health_source(world))
    for n in range(10):
        _get(client, _guess(live, n))
    refused = _get(client, _guess(live, 10))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "225"
    assert refused.json() == {
        "detail": "The token presented is not a live feed token, and too many requests from this address "
        "have presented one that is not: at most 10 in 5 minutes. A live token is still accepted from this "
        "address; tokens that are not live are refused with 429 until the window ends in 225 seconds.",
        "retry_after_seconds": 225,
    }
    assert _get(client, live).status_code == 404  # as it says


def test_a_live_token_from_a_limited_address_is_neither_counted_nor_audited_as_refused(client, world, clock):
    live = feed_token_issue(source=health_source(world))
    for n in range(11):
        _get(client, _guess(live, n))
    limited_before = AuditEvent.objects.filter(tag=AuditTag.FeedTokenAddressLimited).count()
    for _ in range(5):
        assert _get(client, live).status_code == 404
    assert AuditEvent.objects.filter(tag=AuditTag.FeedTokenAddressLimited).count() == limited_before
    clock["t"] = NOON + 60  # the next minute's first refusal counts the minute before's: one, not six
    assert _get(client, _guess(live, 11)).status_code == 429
    latest = AuditEvent.objects.filter(tag=AuditTag.FeedTokenAddressLimited).latest("pk")
    assert latest.additional["refused_in_the_minute_before"] == 1


@pytest.mark.parametrize("first", ["bad_then_live", "live_then_bad"])
def test_a_live_request_racing_a_bad_one_at_the_limit_is_never_refused(client, world, monkeypatch, first):
    """At one failure short of the limit a live request and a bad one arrive together, each authenticated
    while the other's token is being looked up: the live one is answered either way. (When every request
    was counted while its token was checked, the live one could be the one over the limit: 429.)"""
    live = feed_token_issue(source=health_source(world))
    for n in range(9):
        _get(client, _guess(live, n))
    original = feeds.api.feed_source_authenticate
    raced: list[Any] = []
    other = live if first == "bad_then_live" else _guess(live, 9)

    def looked_up_while_the_other_arrives(token: str) -> FeedSource | None:
        if not raced:
            raced.append(None)  # only the outer look-up races
            raced.append(_authenticated(other))
        return original(token)

    monkeypatch.setattr(feeds.api, "feed_source_authenticate", looked_up_while_the_other_arrives)
    outer = _guess(live, 9) if first == "bad_then_live" else live

    answer = _get(client, outer)

    if first == "bad_then_live":
        assert isinstance(raced[1], FeedSource), raced[1]  # the live one, answered mid-race
        assert answer.status_code == 401  # the bad one: the 10th failure, within the limit
    else:
        assert answer.status_code == 404  # the live one: authenticated, no such batch
        assert raced[1] is None  # the bad one, mid-race: the 10th failure (401), within the limit


def test_on_the_shared_cache_a_live_token_is_answered_and_failures_past_the_limit_refused(
    client, world, redis_cache
):
    """As production counts (Redis, one atomic increment a failure): the same answers."""
    live = feed_token_issue(source=health_source(world))
    assert [_get(client, _guess(live, n)).status_code for n in range(12)] == [401] * 10 + [429] * 2
    assert _get(client, live).status_code == 404
