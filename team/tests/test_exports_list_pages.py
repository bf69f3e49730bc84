"""The list of disclosure exports is read a page at a time, newest first, and every request can be reached.

The list showed the newest `LIST_LIMIT` requests and nothing else: an older request, still waiting for a
colleague's decision or ready to download, dropped off the list with no way to reach it from there. Now
the list has pages (`?page=N`, the GOV.UK pagination component), the order is stable (requested time,
then id, so requests made in the same instant are never shown twice or skipped between pages), and the
list's audit event names only the requests on the page shown. A page number that is not a number shows
the first page and one past the end shows the last (Django's `Paginator.get_page`, as the reports do).
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

import team.exports
from audit.models import AuditEvent
from audit.tags import AuditTag
from disclosure.models import DisclosureExport, LawfulBasis
from disclosure.services import export_request
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import World, make_child

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r'<div class="cp-cell">(CO-PAGE-\d+)</div>')


def _exports(world: World, count: int, *, same_instant: bool = False) -> list[DisclosureExport]:
    """`count` requests of Lena's, oldest first (CO-PAGE-1 the oldest), each made a minute apart, or all
    at one instant."""
    child = make_child(world)
    made = [
        export_request(
            by=world.lena,
            local_authority=world.north,
            lawful_basis=LawfulBasis.COURT_ORDER,
            reference=f"CO-PAGE-{number}",
            children=[child],
            fields=["name"],
        )
        for number in range(1, count + 1)
    ]
    start = timezone.now() - timedelta(hours=1)
    for number, export in enumerate(made):
        at = start if same_instant else start + timedelta(minutes=number)
        DisclosureExport.objects.filter(pk=export.pk).update(requested_at=at)
    return made


def _shown(client, page: str | None = None) -> str:
    url = reverse("team:exports") + (f"?page={page}" if page is not None else "")
    return rendered(client.get(url), heading="Disclosure exports")


def _listed_last() -> list[str]:
    event = AuditEvent.objects.filter(tag=AuditTag.DisclosureExportsListed).order_by("-pk").first()
    assert event is not None
    return event.additional["export_ids"]


def test_the_second_page_shows_the_older_requests_and_its_event_names_them_only(world, monkeypatch):
    monkeypatch.setattr(team.exports, "LIST_LIMIT", 2)
    made = _exports(world, 5)
    client = signed_in(world.lena)

    first = _shown(client)
    assert REFERENCE.findall(first) == ["CO-PAGE-5", "CO-PAGE-4"]
    assert _listed_last() == [str(made[4].pk), str(made[3].pk)]
    assert 'class="govuk-pagination"' in first and "Page 1 of 3" in first
    assert 'href="?page=2"' in first and 'rel="next"' in first and 'rel="prev"' not in first

    second = _shown(client, "2")
    assert REFERENCE.findall(second) == ["CO-PAGE-3", "CO-PAGE-2"]
    assert _listed_last() == [str(made[2].pk), str(made[1].pk)]
    assert "Page 2 of 3" in second and 'href="?page=1"' in second and 'href="?page=3"' in second

    last = _shown(client, "3")
    assert REFERENCE.findall(last) == ["CO-PAGE-1"]
    assert _listed_last() == [str(made[0].pk)]
    assert 'rel="prev"' in last and 'rel="next"' not in last


@pytest.mark.parametrize(("asked", "shown"), [("abc", "1"), ("0", "3"), ("99", "3"), ("", "1")])
def test_a_page_number_out_of_range_shows_the_nearest_page(world, monkeypatch, asked, shown):
    monkeypatch.setattr(team.exports, "LIST_LIMIT", 2)
    _exports(world, 5)
    page = _shown(signed_in(world.lena), asked)
    assert f"Page {shown} of 3" in page


def test_requests_made_in_the_same_instant_are_each_listed_once_across_the_pages(world, monkeypatch):
    monkeypatch.setattr(team.exports, "LIST_LIMIT", 2)
    made = _exports(world, 5, same_instant=True)
    client = signed_in(world.lena)
    listed = []
    for number in ("1", "2", "3"):
        _shown(client, number)
        listed += _listed_last()
    assert sorted(listed) == sorted(str(export.pk) for export in made)  # none twice, none skipped
    assert listed == [str(pk) for pk in sorted((export.pk for export in made), reverse=True)]


def test_a_list_of_one_page_has_no_pagination(world):
    _exports(world, 2)
    page = _shown(signed_in(world.lena))
    assert REFERENCE.findall(page) == ["CO-PAGE-2", "CO-PAGE-1"]
    assert "govuk-pagination" not in page


@pytest.mark.parametrize(
    "asked", ["-1", "1.5", "2.0", "1e3", "99999999999999999999", "9" * 500, "\uff11", " 2 ", "%00", "\u202e2"]
)
def test_no_page_number_is_a_server_error(world, monkeypatch, asked):
    """`?page=` is not among the URLs `tests/test_no_server_errors.py` fuzzes: any value answers a page."""
    monkeypatch.setattr(team.exports, "LIST_LIMIT", 2)
    _exports(world, 3)
    client = signed_in(world.lena)
    page = rendered(client.get(reverse("team:exports"), {"page": asked}), heading="Disclosure exports")
    assert re.search(r"Page [12] of 2", page)
