"""Every error page is a GOV.UK page that says what happened and what to do next, with its status.

Django answers a form sent from a page out of date (CSRF), a request it cannot read (400, a wrong Host
among others) and a refusal raised as `PermissionDenied` (403) with its own bare pages unless the
project gives templates for them; those pages named Django, CSRF and "DEBUG=True", and left a person
with no heading they understand, no way on and none of the service's layout. The 500 page must render
with no database and no signed-in person (it is what is shown when either is broken).
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.views.defaults import server_error

from config.urls import urlpatterns as service_urlpatterns
from tests.journeys import signed_in
from tests.pages import headings
from tests.personas import PASSWORD
from tests.test_titles import title_matches_heading

# Words from Django's own pages: none may reach a person.
DJANGO_WORDING = ("CSRF", "Forbidden", "Bad Request", "DEBUG", "Django", "Traceback", "Request aborted")
HOME_LINK = 'href="/">Go to your ContactPoint home page</a>'


def _refused_by_permission_denied(request: HttpRequest) -> HttpResponse:
    """A view refusing the way Django's own code does (accounts.http.signed_in_user among it)."""
    raise PermissionDenied("internal detail: child Thornton, record 42")


def _breaks(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("internal detail: child Thornton, record 42")


# This module is the URLconf of the tests marked with it: the service's URLs plus two that fail.
urlpatterns = [
    path("test-only/permission-denied/", _refused_by_permission_denied),
    path("test-only/breaks/", _breaks),
    *service_urlpatterns,
]


def _govuk_error_page(response: HttpResponse, *, status: int, heading: str) -> str:
    """The page, once shown to be the service's GOV.UK layout with this status, h1 and title."""
    assert response.status_code == status
    page = response.content.decode()
    assert headings(page) == [heading]
    assert title_matches_heading(page) is None
    assert 'class="govuk-template"' in page and 'class="govuk-heading-l"' in page
    assert 'class="govuk-header' in page and 'class="govuk-footer"' in page
    assert HOME_LINK in page
    shown = [word for word in DJANGO_WORDING if word in page]
    assert not shown, f"Django's own wording on the page: {shown}"
    return page


def _without_csrf(client: Client) -> Client:
    client.handler.enforce_csrf_checks = True  # the test client skips the check unless asked
    return client


def test_a_sign_in_sent_from_a_page_out_of_date_says_so_and_what_to_do(world):
    client = _without_csrf(Client())
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    page = _govuk_error_page(response, status=403, heading="Your page was out of date")
    assert "Go back to the page, reload it and try again" in page
    assert "has not been saved" in page
    assert "alice" not in page  # nothing typed is shown back
    assert "_auth_user_id" not in client.session


def test_a_signed_in_form_sent_from_a_page_out_of_date_says_so_and_saves_nothing(world):
    client = _without_csrf(signed_in(world.alice))
    criteria = {"family_name": "Zebedee", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}
    response = client.post(reverse("children:search"), criteria)
    page = _govuk_error_page(response, status=403, heading="Your page was out of date")
    assert "Go back to the page, reload it and try again" in page
    assert "Zebedee" not in page
    assert "Signed in as" in page  # the layout still says whose account this is, and offers sign-out


def test_a_request_the_service_cannot_read_is_a_govuk_400(world):
    response = Client().get("/", HTTP_HOST="attacker.example")
    page = _govuk_error_page(response, status=400, heading="The service could not understand your request")
    assert "Go back and try again" in page
    assert "attacker.example" not in page


def test_a_form_sending_more_fields_than_the_service_reads_is_a_govuk_400(world):
    fields = {f"field{number}": "Zebedee" for number in range(1001)}  # DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = signed_in(world.alice).post(reverse("children:search"), fields)
    page = _govuk_error_page(response, status=400, heading="The service could not understand your request")
    assert "Zebedee" not in page


@pytest.mark.urls(__name__)
def test_a_permission_denied_refusal_is_a_govuk_403_that_never_shows_its_message(world):
    response = signed_in(world.alice).get("/test-only/permission-denied/")
    page = _govuk_error_page(response, status=403, heading="You cannot do this")
    assert "contact your local authority ContactPoint team" in page
    assert "internal detail" not in page and "Thornton" not in page


@pytest.mark.urls(__name__)
def test_a_server_error_is_the_static_govuk_500_without_the_signed_in_person_or_the_error(world):
    client = signed_in(world.alice)
    client.raise_request_exception = False
    response = client.get("/test-only/breaks/")
    page = _govuk_error_page(response, status=500, heading="Sorry, there is a problem with the service")
    assert "internal detail" not in page and "Thornton" not in page
    assert "Signed in as" not in page and world.alice.get_full_name() not in page


def test_the_500_page_renders_without_touching_the_database() -> None:
    """No `db` fixture: pytest-django refuses any query here, so a page that made one would fail."""
    response = server_error(RequestFactory().get("/"))
    _govuk_error_page(response, status=500, heading="Sorry, there is a problem with the service")
