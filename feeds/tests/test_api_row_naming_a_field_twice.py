"""An API row naming a field twice is refused by number, as a JSON Lines row is (session 25).

JSON leaves a repeated name undefined: Python kept the last value, a source's own checks or logs often
the first. `{"family_name": "Pemberton", ..., "family_name": "Quayle"}` went in as Quayle while the
source's record said Pemberton, and nothing said so. The other rows of the batch go in.
"""

import json

from children.models import Child
from feeds.models import FeedRow, RowOutcome
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_api import URL


def _body_with_a_row_naming_a_field_twice(first: dict, second: dict, *, nested: bool = False) -> str:
    rows = json.dumps([first, second])
    if nested:  # the repeated name inside a value of the first row
        twice = rows.replace('"record_id": "H-1"', '"record_id": {"a": "1", "a": "2"}', 1)
    else:
        twice = rows.replace('"record_id": "H-1"', '"record_id": "H-1", "family_name": "Quayle"', 1)
    assert twice != rows
    return '{"rows": ' + twice + "}"


def _post(client, token: str, batch_id: str, body: str):
    return client.post(
        URL.format(batch_id),
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_an_api_row_naming_a_field_twice_is_refused_by_number_and_the_rest_go_in(client, world):
    token = feed_token_issue(source=health_source(world))
    other = feed_row(record_id="H-2", given_names="Oliver", family_name="Quayle", nhs_number="401 023 2137")
    response = _post(client, token, "twice", _body_with_a_row_naming_a_field_twice(feed_row(), other))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"]["created"] == 1 and body["counts"]["rejected"] == 1
    assert [(r["row_number"], r["reason"]) for r in body["rejected"]] == [
        (1, "a field is named twice in the row")
    ]
    assert Child.objects.count() == 1
    assert FeedRow.objects.get(row_number=1).outcome == RowOutcome.REJECTED


def test_a_name_given_twice_inside_a_value_is_refused_too(client, world):
    token = feed_token_issue(source=health_source(world))
    other = feed_row(record_id="H-2", given_names="Oliver", family_name="Quayle", nhs_number="401 023 2137")
    body = _body_with_a_row_naming_a_field_twice(feed_row(), other, nested=True)
    answer = _post(client, token, "nested", body).json()
    assert [(r["row_number"], r["reason"]) for r in answer["rejected"]] == [
        (1, "a field is named twice in the row")
    ]
