"""The served OpenAPI schema declares every status the feeds API answers with, each with the body it
sends: a client generated from the schema must know a refused token (401), an unreadable body (400), a
body over the size limit (413) and a body that does not fit the schema (422), not only 200/403/409/429."""

import json

from django.conf import settings

from feeds.sources import feed_token_issue
from feeds.tests.factories import health_source

URL = "/api/feeds/v1/batches/{}"
PATH = "/api/feeds/v1/batches/{batch_id}"


def _schema(client):
    return client.get("/api/feeds/v1/openapi.json").json()


def _body_schema(schema, operation, status):
    ref = schema["paths"][PATH][operation]["responses"][str(status)]["content"]["application/json"]["schema"]
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_each_status_the_submit_endpoint_answers_is_in_the_served_schema(client, world):
    token = feed_token_issue(source=health_source(world))
    auth = {"Authorization": f"Bearer {token}"}
    answers = {
        401: client.post(URL.format("a"), data="{}", content_type="application/json"),
        400: client.post(URL.format("b"), data="{rows: [", content_type="application/json", headers=auth),
        413: client.post(
            URL.format("c"),
            data=b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
            content_type="application/json",
            headers=auth,
        ),
        422: client.post(
            URL.format("d"), data=json.dumps({"rows": "x"}), content_type="application/json", headers=auth
        ),
    }
    schema = _schema(client)
    for status, response in answers.items():
        assert response.status_code == status
        declared = _body_schema(schema, "post", status)
        assert set(response.json()) <= set(declared["properties"]), status
        assert set(declared.get("required", ())) <= set(response.json()), status


def test_the_status_endpoint_declares_a_refused_token_and_a_bad_batch_id(client, world):
    token = feed_token_issue(source=health_source(world))
    answers = {
        401: client.get(URL.format("a")),
        422: client.get(URL.format("x" * 101), headers={"Authorization": f"Bearer {token}"}),
    }
    schema = _schema(client)
    for status, response in answers.items():
        assert response.status_code == status
        assert set(response.json()) <= set(_body_schema(schema, "get", status)["properties"]), status
