"""A row that is not a JSON object (null, text, a number, a list) is rejected by its number over the API,
as a JSON Lines line that is not an object is; the good rows beside it go in.

Before, the body's schema typed each row as an object, so one `null` row (a source's serialiser
skipping a record it could not build, say) refused the whole batch with 422 and no good row went in.
"""

import json

import pytest

from children.models import Child
from feeds.models import FeedBatch, FeedRow, RowOutcome
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source, second_feed_row
from feeds.tests.test_api import URL, post

NOT_OBJECTS = [None, "Harriet Pemberton 2016-07-21", 9434765919, 1.5, True, ["Harriet", "Pemberton"]]


@pytest.mark.parametrize("bad", NOT_OBJECTS, ids=["null", "text", "integer", "decimal", "true", "list"])
def test_a_row_that_is_not_an_object_is_rejected_by_number_and_the_rest_go_in(client, world, bad):
    token = feed_token_issue(source=health_source(world))
    good = second_feed_row()
    response = post(client, token, "b1", [feed_row(), bad, good])
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["status"] == "completed"
    assert answer["counts"]["created"] == 2 and answer["counts"]["rejected"] == 1
    assert answer["rejected"] == [{"row_number": 2, "outcome": "rejected", "reason": "not a JSON object"}]
    assert Child.objects.count() == 2
    assert FeedRow.objects.get(row_number=2).outcome == RowOutcome.REJECTED
    # The value is never repeated back.
    assert "Pemberton" not in response.content.decode() and "9434765919" not in response.content.decode()


def test_the_same_body_with_a_row_that_is_not_an_object_is_replayed_and_another_is_a_conflict(client, world):
    token = feed_token_issue(source=health_source(world))
    assert post(client, token, "b1", [feed_row(), None]).status_code == 200
    again = post(client, token, "b1", [feed_row(), None])
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert post(client, token, "b1", [feed_row(), "x"]).status_code == 409
    assert FeedBatch.objects.count() == 1 and Child.objects.count() == 1


def test_the_schema_says_a_row_that_is_not_an_object_is_rejected_alone(client, db):
    schema = client.get("/api/feeds/v1/openapi.json").json()
    rows = schema["components"]["schemas"]["BatchIn"]["properties"]["rows"]
    assert rows["items"] == {"$ref": "#/components/schemas/FeedRowIn"}
    assert "not an object" in rows["description"]


def test_rows_that_are_not_a_list_still_refuse_the_body(client, world):
    token = feed_token_issue(source=health_source(world))
    response = client.post(
        URL.format("b1"),
        data=json.dumps({"rows": {"record_id": "H-1"}}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert not FeedBatch.objects.exists()
