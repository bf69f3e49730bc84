"""Every page's title is its h1 (plus " - ContactPoint"), with "Error: " first when it shows an error.

Walks every named URL for several roles (GET, then an empty POST for pages with a form), so a new page
is checked without being listed here. Pages that are not HTML (downloads, JSON, redirects) are skipped.
"""

import html
import re
import uuid
from datetime import date

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import UUIDConverter
from django.views.defaults import server_error

from accounts.models import Role
from children.records import InvolvementDetails
from children.services import involvement_record
from disclosure.services import export_request
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in, state_purpose
from tests.pages import headings
from tests.personas import make_child, make_user

_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
SUFFIX = " - ContactPoint"


def _named_patterns(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def title_matches_heading(page: str) -> str | None:
    """None if the title is right; otherwise what is wrong."""
    found = _TITLE.search(page)
    if found is None:
        return "no <title>"
    title = " ".join(html.unescape(found.group(1)).split())
    h1s = headings(page)
    if len(h1s) != 1:
        return f"{len(h1s)} h1 elements"
    error = "Error: " if "govuk-error-summary" in page else ""
    expected = f"{error}{h1s[0]}{SUFFIX}"
    return None if title == expected else f"title {title!r}, expected {expected!r}"


@pytest.fixture
def pages_world(world):
    child = make_child(world)
    involvement = involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            "Alice Example", "Social worker", world.north_social_care.pk, started_on=date(2024, 1, 1)
        ),
    )
    alert = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice
    )
    # A North export waiting for a decision, asked by lena's colleague: lena's pages show the decision form.
    export = export_request(
        by=make_user("leo", world.north, Role.LA_TEAM),
        local_authority=world.north,
        lawful_basis="court_order",
        reference="CO-2026-118",
        children=[child],
        fields=["name"],
    )
    values = {
        "child_id": child.pk,
        "involvement_id": involvement.pk,
        "user_id": world.alice.pk,
        "alert_id": alert.pk,
        "organisation_id": world.north_gp.pk,
        "token": "not-a-real-token",
        "export_id": export.pk,
    }
    return world, child, values


def _paths(values):
    for name, pattern in _named_patterns(get_resolver().url_patterns):
        # a parameter with no object here (a new app's) gets an id that does not exist: its 404 page
        kwargs = {
            key: values.get(key, uuid.uuid4() if isinstance(converter, UUIDConverter) else 999_999_999)
            for key, converter in pattern.pattern.converters.items()
        }
        yield name, reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("persona", ["alice", "lena", "dara", "nadia", "simon"])
def test_every_page_title_matches_its_heading(pages_world, persona):
    world, child, values = pages_world
    user = (
        make_user("simon", world.north, Role.SYSTEM_ADMIN) if persona == "simon" else getattr(world, persona)
    )
    client = signed_in(user)
    if persona in ("alice", "lena"):
        state_purpose(client, child)
    wrong = []
    checked = 0
    for name, path in _paths(values):
        if name in (
            "accounts:logout",
            "team:close",
            "team:reset_mfa",
            "team:reinstate",
            "oversight:alert_acknowledge",
        ):
            continue  # actions: they change state and redirect
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if "<html" not in response.content.decode(errors="replace"):
                continue  # a redirect, a download, JSON, or a bare 405
            checked += 1
            problem = title_matches_heading(response.content.decode())
            if problem:
                wrong.append(f"{method.upper()} {name} ({response.status_code}): {problem}")
    assert checked > 20
    assert not wrong, "\n".join(wrong)


def test_the_page_not_found_has_a_title_heading_and_a_way_back(world):
    response = signed_in(world.alice).get("/children/not-a-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert headings(page) == ["Page not found"]
    assert title_matches_heading(page) is None
    assert 'href="/">Go to your ContactPoint home page</a>' in page


def test_the_server_error_page_has_a_title_heading_and_a_way_back():
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert headings(page) == ["Sorry, there is a problem with the service"]
    assert title_matches_heading(page) is None
    assert 'href="/">Go to your ContactPoint home page</a>' in page


def test_the_search_results_page_title_matches_its_heading(world, child):
    client = signed_in(world.alice)
    criteria = {"family_name": "Thornton", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}
    response = client.post(reverse("children:search"), criteria, follow=True)
    page = response.content.decode()
    assert "1 child found" in page
    assert title_matches_heading(page) is None
