"""A 401 from the feeds API says how to authenticate (RFC 9110 section 11.6.1, RFC 6750 section 3).

Before, the API answered 401 with no `WWW-Authenticate` header, which HTTP requires of every 401: a
source's client library could not tell a bad token from any other failure, and some retry a 401 without
the header as a plain error. Now the header names the Bearer scheme and the API's realm, and says
`invalid_token` when a token was sent and refused (unknown or revoked), never which of the two.
"""

import pytest

from feeds.models import FeedToken
from feeds.sources import feed_token_issue, feed_token_revoke
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_api import URL, post

REALM = 'Bearer realm="ContactPoint feeds API"'


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_request_without_a_token_is_told_the_bearer_scheme(client, db, method):
    response = getattr(client, method)(
        URL.format("b"), **({"data": "{}", "content_type": "application/json"} if method == "post" else {})
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == REALM
    assert response.json() == {"detail": "Unauthorized"}


def test_a_refused_token_is_told_it_is_invalid_without_saying_why(client, world):
    source = health_source(world)
    token = feed_token_issue(source=source)
    feed_token_revoke(token=FeedToken.objects.get())
    revoked = post(client, token, "b", [feed_row()])
    unknown = post(client, "cpf_" + "x" * 40, "b", [feed_row()])
    for response in (revoked, unknown):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == f'{REALM}, error="invalid_token"'
    assert revoked.content == unknown.content
