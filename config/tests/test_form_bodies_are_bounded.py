"""A page's form never needs more than a small body: one over `FORM_BODY_LIMIT` is refused before anything
reads it (a review's finding, session 36). The limit Django parses up to is raised site-wide to 8 MB for
the feeds API, and every form page parsed that much for anyone, signed in or not (the CSRF check reads the
form first): about a second of CPU per request, for nothing. The feeds API keeps its own 8 MB limit."""

import json

from django.conf import settings
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source


def test_an_oversized_form_body_is_refused_unread_as_a_govuk_400(client, world):
    body = "username=alice&password=" + "x" * (settings.FORM_BODY_LIMIT + 1)
    response = client.post(
        reverse("accounts:login"), data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "The service could not understand your request" in response.content.decode()
    assert not AuditEvent.objects.filter(tag=AuditTag.LoginFailed).exists()  # never read as a sign-in


def test_a_form_body_within_the_limit_is_read(client, world):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(tag=AuditTag.LoginFailed).exists()


def test_the_feeds_api_still_takes_a_body_past_the_form_limit(client, world):
    token = feed_token_issue(source=health_source(world))
    body = json.dumps({"rows": [feed_row()]}) + " " * (settings.FORM_BODY_LIMIT + 1)
    response = client.post(
        "/api/feeds/v1/batches/big",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content[:200]
    assert response.json()["counts"]["created"] == 1


def test_an_oversized_form_body_is_refused_whatever_script_name_the_request_carries(client, world):
    """The limit judges the path Django routes on (`path_info`): a SCRIPT_NAME of /api/feeds (a header a
    proxy in front may pass on) let an 8 MB form reach the sign-in page, read and audited (review of
    session 39)."""
    body = "username=alice&password=" + "x" * (settings.FORM_BODY_LIMIT + 1)
    response = client.post(
        reverse("accounts:login"),
        data=body,
        content_type="application/x-www-form-urlencoded",
        SCRIPT_NAME="/api/feeds",
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(tag=AuditTag.LoginFailed).exists()
