"""The reports' look-ups (a username, a child's index number) turn typed text into a person or a child, as
the search does: they count against the same per-person limit (a review's finding, session 36). Past it
nothing is looked up or audited as a look-up, the page says why in words, and the refusal is audited once a
minute naming the page."""

from django.urls import reverse

from accounts.ratelimit import SEARCH_USER
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in

INDEX = reverse("audit:index")
LIMITED = (
    "You have made too many searches and look-ups in the last minute (up to 60 a minute for each person). "
    "Wait a minute and try again."
)


def _lookups() -> int:
    return AuditEvent.objects.filter(tag=AuditTag.ReportLookup).count()


def test_index_number_look_ups_stop_at_the_search_limit_and_say_why(world, child):
    client = signed_in(world.lena)
    for _ in range(SEARCH_USER.limit):
        assert client.post(INDEX, {"index_number": child.index_number}).status_code == 303
    assert _lookups() == SEARCH_USER.limit
    response = client.post(INDEX, {"index_number": child.index_number})
    assert response.status_code == 429
    page = response.content.decode()
    assert LIMITED in page
    assert "No record has that index number" not in page
    assert _lookups() == SEARCH_USER.limit  # nothing looked up
    throttled = AuditEvent.objects.get(tag=AuditTag.SearchThrottled, actor=world.lena)
    assert throttled.additional["page"] == "audit_lookup"
    client.post(INDEX, {"index_number": child.index_number})
    assert AuditEvent.objects.filter(tag=AuditTag.SearchThrottled, actor=world.lena).count() == 1


def test_username_look_ups_share_the_limit_with_searches(world):
    for _ in range(SEARCH_USER.limit):
        SEARCH_USER.hit(str(world.lena.pk))  # as many searches as the limit allows
    response = signed_in(world.lena).post(INDEX, {"username": world.alice.username})
    assert response.status_code == 429 and LIMITED in response.content.decode()
    assert _lookups() == 0


def test_the_empty_menu_is_not_counted(world):
    client = signed_in(world.lena)
    for _ in range(SEARCH_USER.limit + 1):
        assert client.get(INDEX).status_code == 200
    assert SEARCH_USER.count(str(world.lena.pk)) == 0
