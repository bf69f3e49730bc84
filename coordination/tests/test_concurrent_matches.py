"""Two practitioners record involvement at the same moment: the pair is matched once, and both are told.

Real concurrent requests: each thread has its own test client and its own database connection, and a
barrier releases them together. Without the lock on the family's child rows, each recording could miss
the other's uncommitted involvement and nobody would be told; without the unique pair, both could match.
"""

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.urls import reverse

from coordination.models import Match, Notice
from coordination.tests.support import school_teacher
from tests.journeys import signed_in, state_purpose
from tests.personas import make_child

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL only: SQLite serialises every writer, so the requests could not overlap",
    ),
]

FORM = {
    "role": "Practitioner",
    "phone": "0113 496 0000",
    "email": "someone@example.org",
    "start_day": "2",
    "start_month": "9",
    "start_year": "2024",
}


def _record_together(recordings: list[tuple[Any, Any]]) -> list[int]:
    """POST each (client, child) recording in its own thread, all released at once."""
    barrier = threading.Barrier(len(recordings))
    statuses: list[int] = [0] * len(recordings)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        client, child = recordings[index]
        try:
            barrier.wait(timeout=30)
            response = client.post(reverse("children:involvement_new", args=[child.pk]), FORM)
            statuses[index] = response.status_code
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(recordings))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a recording never finished (deadlock?)"
    if failures:
        raise failures[0]
    return statuses


def _ready(user, child):
    client = signed_in(user)
    state_purpose(client, child)
    return client


@pytest.mark.parametrize("attempt", range(3))
def test_two_practitioners_recording_at_once_get_one_match_and_one_notice_each(world, attempt):
    child = make_child(world)
    carol = school_teacher(world)
    statuses = _record_together([(_ready(world.alice, child), child), (_ready(carol, child), child)])
    assert statuses == [302, 302]
    assert Match.objects.count() == 1
    assert sorted(n.recipient.username for n in Notice.objects.all()) == ["alice", "carol"]


def test_two_practitioners_recording_siblings_at_once_get_one_family_match(world):
    child = make_child(world)
    sibling = make_child(world, given_names="Oliver", date_of_birth=child_dob_plus_years(3))
    statuses = _record_together([(_ready(world.alice, child), child), (_ready(world.bob, sibling), sibling)])
    assert statuses == [302, 302]
    [match] = Match.objects.all()
    assert match.kind == "family"
    assert sorted(n.recipient.username for n in Notice.objects.all()) == ["alice", "bob"]


def child_dob_plus_years(years: int):
    from datetime import date

    return date(2015 - years, 3, 4)
