"""A batch with no rows is refused (422, in words) and uses up nothing: before, `{"rows": []}` completed
an empty batch under its id, and the real rows sent next under that id were refused as a conflict (409).
A body with a field besides `rows` (a misspelt `row`, a `rows2`) is refused too, rather than ignored."""

import json

from children.models import Child
from feeds.models import FeedBatch
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source

URL = "/api/feeds/v1/batches/{}"


def _post(client, token, batch_id, body):
    return client.post(
        URL.format(batch_id),
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_an_empty_batch_is_refused_and_its_id_stays_free(client, world):
    token = feed_token_issue(source=health_source(world))
    empty = _post(client, token, "monday", {"rows": []})
    assert empty.status_code == 422
    [error] = empty.json()["detail"]
    assert error["msg"] == "rows is empty: a batch holds at least one row"
    assert not FeedBatch.objects.exists()
    real = _post(client, token, "monday", {"rows": [feed_row()]})
    assert real.status_code == 200 and Child.objects.count() == 1


def test_a_body_with_a_field_besides_rows_is_refused_without_repeating_it(client, world):
    token = feed_token_issue(source=health_source(world))
    response = _post(client, token, "monday", {"rows": [feed_row()], "row": [{"family_name": "Secret"}]})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["msg"] == "the body holds a field other than rows: send rows alone"
    assert "Secret" not in response.content.decode()
    assert not FeedBatch.objects.exists()


def test_the_schema_says_a_batch_holds_at_least_one_row_and_nothing_else(client, db):
    schemas = client.get("/api/feeds/v1/openapi.json").json()["components"]["schemas"]
    batch = schemas["BatchIn"]
    assert batch["properties"]["rows"]["minItems"] == 1
    assert batch["additionalProperties"] is False
