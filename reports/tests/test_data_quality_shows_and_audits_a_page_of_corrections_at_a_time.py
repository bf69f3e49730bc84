"""The data manager's data-quality page shows and audits its pending corrections a page at a time (review h10-4).

It listed every pending correction of the LA, and its audit event (`DataQualityViewed`) held every
correction id and child id in one row, however long the queue: the corrections queue and the complaints
list were paged to bound what one view shows and audits, this page was not. Now it is shown
`corrections.views.LIST_LIMIT` to a page (`?page=N`, the queue's pages: the same list, the same page size)
under the shared pager. The page still says how many corrections are waiting in all, and its event keeps
that figure (`pending_corrections`): the event records what the page showed, and which it named is the
length of its ids.
"""

from django.urls import reverse

import corrections.views
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from corrections.fields import field_for
from corrections.models import Correction
from corrections.services import correction_raise
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import World, make_child

HEADING = "Records needing correction"


def _index_shown(child: Child) -> str:
    number = child.index_number
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def _raised(world: World, child: Child) -> Correction:
    named = field_for("family_name")
    assert named is not None
    return correction_raise(child=child, field=named, value="Thorneton", reason="Seen", by=world.alice)


def _three_waiting(world: World, child: Child) -> list[Child]:
    children = [
        child,
        make_child(world, given_names="Ava", family_name="Ashdown"),
        make_child(world, given_names="Ben", family_name="Birch"),
    ]
    for each in children:
        _raised(world, each)
    return children


def _latest_event() -> AuditEvent:
    return AuditEvent.objects.filter(tag=AuditTag.DataQualityViewed).latest("pk")


def test_the_data_quality_page_shows_and_audits_at_most_a_page_of_corrections(world, child, monkeypatch):
    monkeypatch.setattr(corrections.views, "LIST_LIMIT", 2)
    children = _three_waiting(world, child)

    page = rendered(signed_in(world.dara).get(reverse("data_quality")), heading=HEADING)

    shown = [each for each in children if _index_shown(each) in page]
    assert shown == children[:2]  # oldest first, as the queue
    event = _latest_event()
    assert len(event.additional["correction_ids"]) == 2
    assert event.additional["child_ids"] == [str(each.pk) for each in shown]
    assert "Page 1 of 2" in page and 'href="?page=2"' in page


def test_the_next_page_shows_and_audits_the_rest(world, child, monkeypatch):
    monkeypatch.setattr(corrections.views, "LIST_LIMIT", 2)
    children = _three_waiting(world, child)
    client = signed_in(world.dara)

    page = rendered(client.get(reverse("data_quality"), {"page": 2}), heading=HEADING)

    assert [each for each in children if _index_shown(each) in page] == children[2:]
    event = _latest_event()
    assert event.additional["child_ids"] == [str(children[2].pk)]
    assert event.additional["correction_ids"] == [str(Correction.objects.get(child=children[2]).pk)]
    assert "Page 2 of 2" in page and 'href="?page=1"' in page
    # A page number that is not one shows the first; one out of range the last, as the queue does.
    assert "Page 1 of 2" in client.get(reverse("data_quality"), {"page": "x"}).content.decode()
    assert "Page 2 of 2" in client.get(reverse("data_quality"), {"page": 9}).content.decode()


def test_the_page_says_how_many_are_waiting_in_all_and_its_event_keeps_that_count(world, child, monkeypatch):
    monkeypatch.setattr(corrections.views, "LIST_LIMIT", 2)
    _three_waiting(world, child)

    page = rendered(signed_in(world.dara).get(reverse("data_quality"), {"page": 2}), heading=HEADING)

    assert 'id="pending-count">3 corrections are waiting in your local authority' in page
    event = _latest_event()
    assert event.additional["pending_corrections"] == 3
    assert len(event.additional["correction_ids"]) == 1


def test_a_short_list_has_no_pager(world, child):
    _raised(world, child)

    page = rendered(signed_in(world.dara).get(reverse("data_quality")), heading=HEADING)

    assert _index_shown(child) in page
    assert "govuk-pagination" not in page and "Page 1 of" not in page
