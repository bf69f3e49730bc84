"""One feed source cannot hold every worker: at most FEED_API_REQUESTS_IN_FLIGHT of its batch requests run
at once (429 with Retry-After beyond), and a batch resent while an earlier request is still ingesting it
is answered at once (202, the batch's progress) instead of queueing behind that request's row locks.

Before, only the 60 requests a minute were limited, and each may ingest for ROWS_SECONDS on a sync worker:
one source (or a client that times out and resends the same batch) could occupy every worker. Proved
with real concurrent requests: threads whose requests are held while their rows go in.
"""

import json
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connections
from django.test import Client, override_settings
from django.utils import timezone

from feeds import api, ratelimit
from feeds.models import BatchStatus, FeedBatch, FeedRow
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source, second_feed_row

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/feeds/v1/batches/{}"


def _post(token, batch_id, rows):
    return Client().post(
        URL.format(batch_id),
        data=json.dumps({"rows": rows}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


class Held:
    """The first `count` requests to reach their rows wait there, each until released (`release(i)`, in
    the order they arrived); later ones go on."""

    def __init__(self, monkeypatch, count):
        self.count, self.arrived = count, threading.Semaphore(0)
        self.lock, self.events = threading.Lock(), []
        real = api.batch_rows_ingest

        def holding(**kwargs):
            with self.lock:
                event = threading.Event() if len(self.events) < self.count else None
                if event is not None:
                    self.events.append(event)
            if event is not None:
                self.arrived.release()
                assert event.wait(timeout=30)
            return real(**kwargs)

        monkeypatch.setattr(api, "batch_rows_ingest", holding)

    def wait_for_one(self):
        assert self.arrived.acquire(timeout=30), "a held request never reached its rows"

    def release(self, index):
        self.events[index].set()


class Request(threading.Thread):
    """A request on a thread of its own (its own database connection), started at once; `answer()` joins it."""

    def __init__(self, call):
        super().__init__()
        self.call, self.result = call, None
        self.start()

    def run(self):
        try:
            self.result = self.call()
        finally:
            connections.close_all()

    def answer(self):
        self.join(timeout=60)
        assert not self.is_alive()
        return self.result


def test_a_resent_batch_still_being_ingested_is_answered_at_once_with_its_progress(world, monkeypatch):
    token = feed_token_issue(source=health_source(world))
    rows = [feed_row(), second_feed_row()]
    held = Held(monkeypatch, count=1)
    first = Request(lambda: _post(token, "monday", rows))
    held.wait_for_one()
    resent = _post(token, "monday", rows)
    assert resent.status_code == 202
    assert resent.json()["status"] == BatchStatus.IN_PROGRESS
    assert resent.json()["counts"]["created"] == 0
    assert not FeedRow.objects.exists()  # the resend ingested nothing beside the first request
    held.release(0)
    answer = first.answer()
    assert answer.status_code == 200 and answer.json()["counts"]["created"] == 2
    again = _post(token, "monday", rows)
    assert again.status_code == 200 and again.json()["replayed"] is True


def test_a_resend_with_other_content_is_still_a_conflict_while_the_batch_is_ingested(world, monkeypatch):
    token = feed_token_issue(source=health_source(world))
    held = Held(monkeypatch, count=1)
    first = Request(lambda: _post(token, "monday", [feed_row()]))
    held.wait_for_one()
    assert _post(token, "monday", [second_feed_row()]).status_code == 409
    held.release(0)
    assert first.answer().status_code == 200


def _requests_at_once_are_capped(world, monkeypatch):
    token = feed_token_issue(source=health_source(world))
    other = feed_token_issue(source=health_source(world, code="school"))
    held = Held(monkeypatch, count=2)
    # Started one after the other (SQLite's shared test database refuses two writers at once), then both
    # held in flight together.
    first = Request(lambda: _post(token, "a", [feed_row()]))
    held.wait_for_one()
    second = Request(lambda: _post(token, "b", [second_feed_row()]))
    held.wait_for_one()
    refused = _post(token, "c", [feed_row(record_id="H-3")])
    assert refused.status_code == 429
    wait = ratelimit.IN_FLIGHT_RETRY_SECONDS
    assert refused["Retry-After"] == str(wait)
    assert refused.json() == {
        "detail": "This feed source already has 2 requests in progress, the most it may have at once: "
        f"send the next when one is answered. Try again in {wait} seconds.",
        "retry_after_seconds": wait,
    }
    assert not FeedBatch.objects.filter(batch_id="c").exists()
    # Another source is not held back by this one's.
    assert _post(other, "c", [feed_row(record_id="S-1")]).status_code == 200
    for index, request in enumerate((first, second)):
        held.release(index)
        assert request.answer().status_code == 200
    # Each request gave its slot back when it was answered.
    assert _post(token, "c", [feed_row(record_id="H-3")]).status_code == 200


@override_settings(FEED_API_REQUESTS_IN_FLIGHT=2)
def test_a_source_with_its_most_requests_in_flight_gets_429_with_retry_after(world, monkeypatch):
    _requests_at_once_are_capped(world, monkeypatch)


@override_settings(FEED_API_REQUESTS_IN_FLIGHT=2)
def test_the_cap_holds_across_app_servers_sharing_redis(world, monkeypatch, redis_cache):
    _requests_at_once_are_capped(world, monkeypatch)
    assert not redis_cache.keys("*in_flight*")  # every slot given back


@override_settings(FEED_API_REQUESTS_IN_FLIGHT=1)
def test_a_request_that_fails_gives_its_slot_back(world, monkeypatch):
    token = feed_token_issue(source=health_source(world))

    def failing(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(api, "batch_rows_ingest", failing)
    with pytest.raises(RuntimeError):
        _post(token, "a", [feed_row()])
    monkeypatch.undo()
    assert _post(token, "a", [feed_row()]).status_code == 200


@override_settings(FEED_API_REQUESTS_IN_FLIGHT=1)
def test_a_slot_a_killed_worker_never_gave_back_frees_itself(world):
    source = health_source(world)
    token = feed_token_issue(source=source)
    assert ratelimit.request_slot_take(source.pk) is not None  # taken, and its worker killed
    assert _post(token, "a", [feed_row()]).status_code == 429
    later = timezone.now() + timedelta(seconds=ratelimit.IN_FLIGHT_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert _post(token, "a", [feed_row()]).status_code == 200


def test_slots_expire_in_redis_too(world, redis_cache):
    source = health_source(world)
    assert ratelimit.request_slot_take(source.pk) is not None
    [key] = redis_cache.keys("*in_flight*")
    assert 0 < redis_cache.ttl(key) <= ratelimit.IN_FLIGHT_SECONDS


def test_the_schema_says_when_a_batch_is_answered_202_and_429(client, db):
    operation = client.get("/api/feeds/v1/openapi.json").json()["paths"]["/api/feeds/v1/batches/{batch_id}"]
    description = operation["post"]["description"]
    assert "being ingested" in description and "at once" in description
