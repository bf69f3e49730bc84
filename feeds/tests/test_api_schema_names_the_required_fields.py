"""The served schema says which row fields are required exactly as the row validation does.

Before, it marked only `record_id` and `local_authority` "required" and described given names, family
name and date of birth as optional ("text", "YYYY-MM-DD"): a source built from the schema had rows
rejected with "given_names is required".
"""

import json

from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source
from feeds.validation import REQUIRED


def _described(client):
    schema = client.get("/api/feeds/v1/openapi.json").json()
    properties = schema["components"]["schemas"]["FeedRowIn"]["properties"]
    return {name: spec["description"] for name, spec in properties.items()}


def test_every_field_the_validation_requires_is_described_as_required_and_no_other(client, db):
    described = _described(client)
    assert {name for name, text in described.items() if text.startswith("required")} == set(REQUIRED)


def test_a_row_without_a_field_the_schema_calls_required_is_rejected_naming_it(client, world):
    token = feed_token_issue(source=health_source(world))
    described = _described(client)
    for number, name in enumerate(sorted(described), start=1):
        row = (
            feed_row(record_id=f"R-{number}", **{name: None})
            if name != "record_id"
            else feed_row(record_id=None)
        )
        response = client.post(
            f"/api/feeds/v1/batches/b{number}",
            data=json.dumps({"rows": [row]}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        rejected = response.json()["rejected"]
        required = described[name].startswith("required")
        assert bool(rejected and rejected[0]["reason"] == f"{name} is required") == required, name
