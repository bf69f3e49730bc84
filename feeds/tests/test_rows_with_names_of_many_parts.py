"""A row whose name has more parts than any child's name is rejected by number; the rest go in.

A row locks every blocking key it looks up or would file (`linkage.linking.record_keys_lock`, one
PostgreSQL advisory lock each) and a created child is filed under them all. Keys pair the forms of the
given and family names, so their number grows with the product of the names' parts, doubled again for
letters that pass for Latin ones: "Harriet Pemberton" takes 65 locks, a row of 33 two-letter parts in
each name (within the 100 characters a field may hold) took 24,584. PostgreSQL's shared lock table
holds about 6,400 (64 per connection): the row failed with "out of shared memory" (a 500), leaving the
batch in progress to fail again at every resend, its good rows never going in, and for as long as it
held them every other session's locks failed too (searches, record views, other feeds).
"""

import json

import pytest
from django.db import connection

from children.models import Child
from feeds.models import FeedRow, RowOutcome
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source, second_feed_row
from feeds.tests.test_api import URL
from feeds.validation import NAME_PARTS_MOST
from tests.personas import build_world

# Cyrillic En, Er, Es, Ve and U: read N, R, S, V, U but passing for H, P, C, B, Y (two forms a part).
LOOKALIKES = "\u041d\u0420\u0421\u0412\u0423"


# A letter whose compatibility form (NFKC, which the engine reads look-alikes in) starts with a space: a
# name of one part on its face, of as many as it holds to the engine (ARABIC SUKUN ISOLATED FORM).
SPACE_WITHIN = "\ufe7e"


def _many_parts(count: int, between: str = " ") -> str:
    return between.join(LOOKALIKES[i % 5] + "abcdefghijklmnopqrstuvwxyz"[i // 5 % 26] for i in range(count))


GOOD = second_feed_row()


def _post(client, token, rows):
    return client.post(
        URL.format("b1"),
        data=json.dumps({"rows": rows}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _hostile(name: str, between: str = " ") -> dict[str, str]:
    many = _many_parts(33, between)
    return feed_row(**{name: many}, **({"former_family_name": many} if name != "former_family_name" else {}))


@pytest.mark.parametrize("between", [" ", SPACE_WITHIN], ids=["spaces", "spaces-within-letters"])
@pytest.mark.parametrize("name", ["given_names", "family_name", "former_family_name"])
def test_a_name_of_more_parts_than_a_child_has_is_rejected_by_number_and_the_rest_go_in(
    client, world, name, between
):
    token = feed_token_issue(source=health_source(world))
    answer = _post(client, token, [_hostile(name, between), GOOD]).json()
    assert answer["status"] == "completed"
    assert answer["rejected"] == [
        {
            "row_number": 1,
            "outcome": "rejected",
            "reason": f"{name} has more than {NAME_PARTS_MOST} parts",
        }
    ]
    assert answer["counts"]["created"] == 1
    assert Child.objects.count() == 1


def test_a_name_of_as_many_parts_as_allowed_goes_in(client, world):
    token = feed_token_issue(source=health_source(world))
    row = feed_row(given_names=" ".join(["Maria", "del", "Carmen", "Rosa", "Ana", "Luz"][:NAME_PARTS_MOST]))
    answer = _post(client, token, [row]).json()
    assert answer["counts"]["created"] == 1, answer


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("between", [" ", SPACE_WITHIN], ids=["spaces", "spaces-within-letters"])
def test_on_postgresql_the_row_is_refused_before_it_takes_its_locks_and_the_batch_completes(client, between):
    """With real transactions each row takes its key locks (inside a test's transaction none are taken)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the advisory locks and the shared lock table")
    world = build_world()
    token = feed_token_issue(source=health_source(world))
    client.raise_request_exception = False
    response = _post(client, token, [_hostile("given_names", between), GOOD])
    assert response.status_code == 200, response.status_code
    assert response.json()["counts"] == {"created": 1, "accepted": 0, "rejected": 1}
    assert list(FeedRow.objects.order_by("row_number").values_list("outcome", flat=True)) == [
        RowOutcome.REJECTED,
        RowOutcome.CREATED,
    ]


def test_the_served_schema_says_how_many_parts_a_name_may_have(client, db):
    schema = client.get("/api/feeds/v1/openapi.json").json()
    properties = schema["components"]["schemas"]["FeedRowIn"]["properties"]
    for name in ("given_names", "family_name", "former_family_name"):
        assert f"at most {NAME_PARTS_MOST} parts" in properties[name]["description"]
