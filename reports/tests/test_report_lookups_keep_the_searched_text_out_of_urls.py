"""The audit menu's look-ups post what was typed: an index number or a person's name never reaches a URL.

A GET form put it in the query string, so in browser history, the web server's and any proxy's access
log, and the Referer of the next request. The practitioner search and the archive finder post for the
same reason (docs/SECURITY.md). Here every URL a look-up produces is read: the forms' method, the
redirect's Location, every link and form target on the page that answers. A GET that carries the text in
its query string (an old bookmark, a hand-made link) looks nothing up: it shows the empty menu.
"""

import re
from urllib.parse import quote, quote_plus, unquote

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.index_number import formatted
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_user

_URL_ATTRIBUTE = re.compile(r'\b(?:href|action|src|formaction)="([^"]*)"', re.IGNORECASE)
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _urls(response) -> list[str]:
    """Every URL the response sends the browser to: its Location and each link or form target."""
    urls = [response["Location"]] if response.has_header("Location") else []
    return urls + _URL_ATTRIBUTE.findall(response.content.decode())


def _carrying(urls: list[str], *texts: str) -> list[str]:
    """The URLs holding any of `texts`, however encoded (raw, %-encoded, + for spaces; any case)."""
    forms = {f(t).casefold() for t in texts for f in (str, quote, quote_plus)}
    return [u for u in urls if any(f in u.casefold() or f in unquote(u).casefold() for f in forms)]


def test_both_lookup_forms_post_with_a_csrf_token(world):
    page = rendered(signed_in(world.lena).get(reverse("audit:index")), heading="Audit reports")
    forms = [f.split("</form>")[0] for f in page.split("<form")[1:]]
    lookups = [f for f in forms if reverse("accounts:logout") not in f.split(">")[0]]
    assert len(lookups) == 2, lookups
    assert all('method="post"' in f.split(">")[0].lower() for f in lookups), lookups
    assert all('name="csrfmiddlewaretoken"' in f for f in lookups), lookups
    assert 'method="get"' not in page.lower()


def test_finding_a_child_by_index_number_puts_the_number_in_no_url(world, child):
    client = signed_in(world.lena)
    number = child.index_number
    response = client.post(reverse("audit:index"), {"find": "record", "index_number": number})
    assert response.status_code == 303
    assert response["Location"] == reverse("audit:child_access", args=[child.pk])
    report = client.get(response["Location"])
    rendered(report, heading=f"Index number {formatted(number)}")
    assert _carrying(_urls(response) + _urls(report), number, formatted(number)) == []


def test_an_index_number_not_found_is_answered_on_the_post_and_in_no_url(world):
    response = signed_in(world.lena).post(
        reverse("audit:index"), {"find": "record", "index_number": "4821905736"}
    )
    page = rendered(response, heading="Audit reports")
    assert "No record has that index number" in page
    assert _carrying(_urls(response), "4821905736") == []


def test_finding_one_person_by_name_puts_the_name_in_no_url(world):
    own = make_user("q.zebedee", world.north_social_care, first_name="Quilla", last_name="Zebedee")
    client = signed_in(world.lena)
    response = client.post(reverse("audit:index"), {"find": "user", "username": "Quilla Zebedee"})
    assert response.status_code == 303
    assert response["Location"] == reverse("audit:user_activity", args=[own.pk])
    report = client.get(response["Location"])
    rendered(report, heading="Quilla Zebedee")
    assert _carrying(_urls(response) + _urls(report), "Quilla Zebedee") == []


def test_several_people_matching_are_listed_with_links_that_carry_their_ids_only(world):
    first = make_user("q.zebedee", world.north_social_care, first_name="Quilla", last_name="Zebedee")
    second = make_user("r.zebedee", world.north_school, first_name="Rufus", last_name="Zebedee")
    response = signed_in(world.lena).post(reverse("audit:index"), {"find": "user", "username": "zebed"})
    page = rendered(response, heading="Audit reports")
    assert "2 accounts match: choose one" in page
    links = _urls(response)
    for person in (first, second):
        assert reverse("audit:user_activity", args=[person.pk]) in links
    assert _carrying(links, "zebed") == []


def test_a_name_matching_no_one_is_answered_on_the_post_and_in_no_url(world):
    response = signed_in(world.lena).post(
        reverse("audit:index"), {"find": "user", "username": "Wendeline Oystermouth"}
    )
    page = rendered(response, heading="Audit reports")
    assert "No account matches that name or username" in page
    assert _carrying(_urls(response), "Wendeline", "Oystermouth") == []


def test_a_get_with_an_index_number_in_its_query_string_looks_nothing_up(world, child):
    response = signed_in(world.lena).get(
        reverse("audit:index"), {"find": "record", "index_number": child.index_number}
    )
    page = rendered(response, heading="Audit reports")  # the empty menu, not the child's report
    assert child.index_number not in page
    # the forms post to the menu's own address, never to this one with its query string
    assert _carrying(_urls(response), child.index_number) == []
    assert page.count(f'action="{reverse("audit:index")}"') == 2
    assert "There is a problem" not in page
    assert not AuditEvent.objects.filter(tag=AuditTag.ReportLookup).exists()


def test_a_get_with_a_name_in_its_query_string_looks_nothing_up(world):
    response = signed_in(world.lena).get(reverse("audit:index"), {"find": "user", "username": "alice"})
    page = rendered(response, heading="Audit reports")
    assert 'value="alice"' not in page and "accounts match" not in page
    assert not AuditEvent.objects.filter(tag=AuditTag.ReportLookup).exists()


def test_a_lookup_posted_without_the_csrf_token_is_refused_and_looks_nothing_up(world, child):
    client = signed_in(world.lena)
    client.handler.enforce_csrf_checks = True  # the test client skips the check unless asked
    forged = client.post(reverse("audit:index"), {"find": "record", "index_number": child.index_number})
    assert forged.status_code == 403
    assert not AuditEvent.objects.filter(tag=AuditTag.ReportLookup).exists()

    token = _TOKEN.search(client.get(reverse("audit:index")).content.decode())
    assert token is not None
    posted = client.post(
        reverse("audit:index"),
        {"find": "record", "index_number": child.index_number, "csrfmiddlewaretoken": token.group(1)},
    )
    assert posted.status_code == 303
    assert [e.child_id for e in AuditEvent.objects.filter(tag=AuditTag.ReportLookup)] == [child.pk]
