"""A row holding a deeply nested value is rejected by number; it never fails the whole batch.

The API's body parser marks an object naming a field twice, and the rows were then searched for that
mark by a recursive walk (two Python frames a level). JSON's parser nests about twice as deep as that
walk, so a row nested a few hundred levels (well inside the body limit) parsed, opened the batch, and
then failed the walk with RecursionError: a 500, the batch left in progress, and the same 500 at every
resend, so the good rows beside it never went in.
"""

import json

import pytest

from children.models import Child
from feeds.models import FeedBatch, FeedRow, RowOutcome
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_api import URL


def _nested(depth: int, *, named_twice: bool = False) -> str:
    inner = '{"a": 1, "a": 2}' if named_twice else "1"
    return '{"a": ' * depth + inner + "}" * depth


def _body(value: str) -> str:
    other = json.dumps(feed_row(record_id="H-2", given_names="Oliver", nhs_number="401 023 2137"))
    return '{"rows": [{"record_id": "H-1", "family_name": ' + value + "}, " + other + "]}"


def _post(client, token: str, batch_id: str, body: str):
    return client.post(
        URL.format(batch_id),
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize("depth", [400, 450, 700, 900])
def test_a_deeply_nested_value_rejects_its_row_and_the_rest_go_in(client, world, depth):
    token = feed_token_issue(source=health_source(world))
    response = _post(client, token, f"deep-{depth}", _body(_nested(depth)))
    if response.status_code == 400:  # too deep for JSON's own parser: nothing was opened
        assert not FeedBatch.objects.exists()
        return
    assert response.status_code == 200, response.status_code
    answer = response.json()
    assert answer["status"] == "completed"
    assert answer["counts"]["created"] == 1 and answer["counts"]["rejected"] == 1
    assert [r["row_number"] for r in answer["rejected"]] == [1]
    assert Child.objects.count() == 1
    assert FeedRow.objects.get(row_number=1).outcome == RowOutcome.REJECTED


def test_a_name_given_twice_deep_inside_a_value_is_still_found(client, world):
    token = feed_token_issue(source=health_source(world))
    answer = _post(client, token, "deep-twice", _body(_nested(450, named_twice=True))).json()
    assert [(r["row_number"], r["reason"]) for r in answer["rejected"]] == [
        (1, "a field is named twice in the row")
    ]
