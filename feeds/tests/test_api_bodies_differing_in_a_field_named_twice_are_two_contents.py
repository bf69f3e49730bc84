"""Two API bodies that differ only in the first value of a field named twice are two contents: the second,
under the same batch id, is 409, not 200 "replayed" (a review's finding, session 36). The parser kept the
last value and a bare marker, and the batch's fingerprint (its rows as read) hashed that, not what was
sent. The marker now keeps every value given, in order."""

from feeds.sources import feed_token_issue
from feeds.tests.factories import health_source
from feeds.tests.test_api import URL


def _post(client, token: str, raw: str):
    return client.post(
        URL.format("b1"),
        data=raw,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_bodies_differing_in_the_first_value_of_a_field_named_twice_are_two_contents(client, world):
    token = feed_token_issue(source=health_source(world))
    first = '{"rows": [{"record_id": "H-1", "nhs_number": "943 476 5919", "nhs_number": "x"}]}'
    second = '{"rows": [{"record_id": "H-1", "nhs_number": "401 023 2137", "nhs_number": "x"}]}'
    answered = _post(client, token, first)
    assert answered.status_code == 200
    assert [r["reason"] for r in answered.json()["rejected"]] == ["a field is named twice in the row"]
    assert _post(client, token, second).status_code == 409


def test_the_same_body_sent_again_is_still_a_replay(client, world):
    token = feed_token_issue(source=health_source(world))
    body = '{"rows": [{"record_id": "H-1", "nhs_number": "943 476 5919", "nhs_number": "x"}]}'
    assert _post(client, token, body).status_code == 200
    again = _post(client, token, body)
    assert again.status_code == 200 and again.json()["replayed"] is True
