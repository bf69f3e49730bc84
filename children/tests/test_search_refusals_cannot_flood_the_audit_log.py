"""Searches refused by the per-person limit are audited once a minute, with the minute before's count.

A refused search runs nothing and costs the person nothing, so one audit event per refusal let anyone
signed in write events without end (as the sign-in, second-factor and invitation refusals could before
session 30): the log the LA team reviews drowned in one line repeated, each one signed into the chain.
"""

import time
from types import SimpleNamespace

from django.urls import reverse

import children.views
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in

CRITERIA = {"family_name": "Thornton", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}


def test_searches_refused_again_and_again_are_audited_once_a_minute_with_the_minute_befores_count(
    world, child, monkeypatch
):
    client = signed_in(world.alice)
    for _ in range(60):
        assert client.post(reverse("children:search"), CRITERIA).status_code == 303
    for _ in range(5):
        response = client.post(reverse("children:search"), CRITERIA)
        assert response.status_code == 429
        assert "You have made too many searches" in response.content.decode()
    throttled = AuditEvent.objects.filter(tag=AuditTag.SearchThrottled, actor=world.alice)
    assert throttled.count() == 1
    assert throttled.get().additional["refused_in_the_minute_before"] == 0

    # The next minute of the page's clock (the limit's own window left as it is: still over it).
    later = time.time() + 60
    monkeypatch.setattr(children.views, "time", SimpleNamespace(time=lambda: later))
    assert client.post(reverse("children:search"), CRITERIA).status_code == 429
    assert throttled.count() == 2
    assert throttled.order_by("-pk").first().additional["refused_in_the_minute_before"] == 5
