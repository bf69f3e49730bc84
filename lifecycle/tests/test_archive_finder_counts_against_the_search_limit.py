"""The archive finder turns a typed index number into a child, as the search does: it counts against the
same per-person limit (a review's finding, session 36). Past it nothing is looked up, the page says why in
words, and the refusal is audited once a minute naming the page."""

from django.urls import reverse

from accounts.ratelimit import SEARCH_USER
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in

FIND = reverse("lifecycle:archive_find")
LIMITED = (
    "You have made too many searches and look-ups in the last minute (up to 60 a minute for each person). "
    "Wait a minute and try again."
)


def _lookups() -> int:
    return AuditEvent.objects.filter(tag=AuditTag.ArchiveLookup).count()


def test_the_archive_finder_stops_at_the_search_limit_and_says_why(world, child):
    client = signed_in(world.dara)
    for _ in range(SEARCH_USER.limit):
        assert client.post(FIND, {"index_number": child.index_number}).status_code == 200  # live: not found
    assert _lookups() == SEARCH_USER.limit
    response = client.post(FIND, {"index_number": child.index_number})
    assert response.status_code == 429
    assert LIMITED in response.content.decode()
    assert _lookups() == SEARCH_USER.limit  # nothing looked up
    throttled = AuditEvent.objects.get(tag=AuditTag.SearchThrottled, actor=world.dara)
    assert throttled.additional["page"] == "archive_find"


def test_the_archive_finder_shares_the_limit_with_searches(world, child):
    for _ in range(SEARCH_USER.limit):
        SEARCH_USER.hit(str(world.dara.pk))
    response = signed_in(world.dara).post(FIND, {"index_number": child.index_number})
    assert response.status_code == 429 and LIMITED in response.content.decode()
    assert _lookups() == 0
