"""A body naming `rows` twice is refused whole, never read as its last list of rows.

Session 25 refused a row naming a field twice (`feeds.api._BodyParser` marks such an object): JSON leaves
a repeated name undefined, Python keeps the last value and a source's own checks or logs often read the
first. The body itself was left out: `{"rows": [A], "rows": [B]}` ingested B (and was fingerprinted as
B) while the source's log of what it sent showed A; nothing said so.
"""

import json

from children.models import Child
from feeds.models import FeedBatch
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_api import URL


def test_a_body_naming_rows_twice_is_refused_and_nothing_is_ingested(client, world):
    token = feed_token_issue(source=health_source(world))
    first = json.dumps([feed_row()])
    second = json.dumps([feed_row(record_id="H-2", given_names="Oliver", nhs_number="401 023 2137")])
    response = client.post(
        URL.format("rows-twice"),
        data='{"rows": ' + first + ', "rows": ' + second + "}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422, response.status_code
    [error] = response.json()["detail"]
    assert error["msg"] == "the body names a field twice: send each of its fields once"
    assert "Oliver" not in response.content.decode() and "Harriet" not in response.content.decode()
    assert Child.objects.count() == 0
    assert not FeedBatch.objects.exists()


def test_a_body_naming_rows_once_still_goes_in(client, world):
    token = feed_token_issue(source=health_source(world))
    response = client.post(
        URL.format("rows-once"),
        data=json.dumps({"rows": [feed_row()]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200 and response.json()["counts"]["created"] == 1
