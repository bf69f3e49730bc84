"""The API validates and fingerprints rows exactly as sent: a field it does not know (a misspelt one)
rejects the row as in a JSON Lines file, and two bodies differing in such a field are two contents.

Before, the row schema dropped keys it did not know: a misspelt `NHS_Number` vanished and the child was
created without its number, and a second, different body under the same batch id was "replayed".
"""

import pytest
from django.utils import timezone

from children.models import Child
from feeds.api import ROW_FIELDS_DOCUMENTED
from feeds.models import FEED_FIELDS
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_api import post
from feeds.validation import STRUCTURAL, RowInvalid, row_validate


def test_a_misspelt_field_rejects_the_row_over_the_api_as_in_a_file(client, world):
    row = feed_row(nhs_number=None)
    row["NHS_Number"] = "943 476 5919"  # misspelt: the child would be created without its NHS number
    with pytest.raises(RowInvalid):
        row_validate(row, today=timezone.localdate())  # a JSON Lines file: the row is rejected
    token = feed_token_issue(source=health_source(world))
    body = post(client, token, "b1", [row]).json()
    assert body["counts"]["rejected"] == 1, body
    # Named by its position, never by its name (in a file without a header the "name" is a value).
    assert body["rejected"] == [
        {
            "row_number": 1,
            "outcome": "rejected",
            "reason": "field 10 of the row is not one of the feed's fields",
        }
    ]
    assert Child.objects.count() == 0


def test_an_unknown_field_sent_as_null_still_rejects_the_row(client, world):
    row = feed_row()
    row["nhs_no"] = None
    token = feed_token_issue(source=health_source(world))
    assert post(client, token, "b1", [row]).json()["counts"]["rejected"] == 1
    assert Child.objects.count() == 0


def test_a_different_body_under_the_same_batch_id_is_a_conflict_not_a_replay(client, world):
    token = feed_token_issue(source=health_source(world))
    first = feed_row()
    first["nhs_no"] = "943 476 5919"
    second = feed_row()
    second["nhs_no"] = "401 023 2137"
    assert post(client, token, "b1", [first]).status_code == 200
    response = post(client, token, "b1", [second])
    assert response.status_code == 409, response.json()
    assert response.json() == {"detail": "this batch id was already used for different content"}


def test_the_same_body_sent_again_is_still_a_replay(client, world):
    token = feed_token_issue(source=health_source(world))
    rows = [feed_row()]
    assert post(client, token, "b1", rows).json()["replayed"] is False
    again = post(client, token, "b1", [dict(reversed(list(rows[0].items())))])  # key order is not content
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert Child.objects.count() == 1


def test_the_served_schema_still_documents_every_row_field(client, db):
    row_schema = client.get("/api/feeds/v1/openapi.json").json()["components"]["schemas"]["FeedRowIn"]
    assert set(row_schema["properties"]) == set(FEED_FIELDS) | set(STRUCTURAL) == set(ROW_FIELDS_DOCUMENTED)
    assert row_schema["properties"]["nhs_number"]["description"] == "10 digits with a valid check digit"
    assert row_schema["type"] == "object"
