"""Two practitioners record involvement at the same moment: the pair is matched once, and both are told.

Real concurrent requests: each thread has its own test client and its own database connection, and a
barrier releases them together. Without the lock on the family's child rows, each recording could miss
the other's uncommitted involvement and nobody would be told; without the unique pair, both could match.
"""

from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from coordination.models import Match, Notice
from coordination.tests.support import school_teacher
from tests.concurrency import run_together
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

    def record(index: int) -> int:
        client, child = recordings[index]
        return int(client.post(reverse("children:involvement_new", args=[child.pk]), FORM).status_code)

    return run_together(len(recordings), record)


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
