"""`rendered`: an absence check only counts on the page it meant to look at."""

import pytest
from django.http import HttpResponse, HttpResponseRedirect

from tests.pages import headings, rendered, without_tokens

PAGE = (
    '<main><h1 class="govuk-heading-l">\n  Amelia   <span>Thornton</span>\n</h1><p>12 Quarry Lane</p></main>'
)


def test_it_returns_the_page_when_status_and_heading_match():
    assert "12 Quarry Lane" in rendered(HttpResponse(PAGE), heading="Amelia Thornton")


def test_a_redirect_fails_an_absence_check():
    with pytest.raises(AssertionError, match="got 302"):
        rendered(HttpResponseRedirect("/accounts/login/"), heading="Amelia Thornton")


def test_an_error_page_fails_an_absence_check():
    with pytest.raises(AssertionError, match="got 403"):
        rendered(HttpResponse("<h1>You cannot do this</h1>", status=403), heading="Amelia Thornton")


def test_another_page_fails_an_absence_check():
    with pytest.raises(AssertionError, match="expected h1 'Amelia Thornton'"):
        rendered(HttpResponse("<h1>Sign in to ContactPoint</h1>"), heading="Amelia Thornton")


def test_headings_are_read_as_a_person_sees_them():
    assert headings(PAGE + "<h1>Children&#x27;s services</h1>") == ["Amelia Thornton", "Children's services"]


def test_a_csrf_token_holding_a_name_does_not_put_the_name_on_the_page():
    """CI once failed "Amy is not on the page" on a sign-out form's random token holding "Amy"."""
    token = '<form><input type="hidden" name="csrfmiddlewaretoken" value="w1UXDhCaDAmydn5C"></form>'
    page = rendered(HttpResponse(token + PAGE), heading="Amelia Thornton")
    assert "Amy" not in page
    assert "12 Quarry Lane" in page and 'name="csrfmiddlewaretoken" value=""' in page
    assert "Amy" not in without_tokens(token) and "Amy" in token
