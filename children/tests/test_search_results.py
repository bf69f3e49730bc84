"""Search follows post/redirect/get: the results come back on Back and "Back to search", searched once."""

from datetime import date

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from lifecycle.services import child_archive
from tests.journeys import signed_in

CRITERIA = {"family_name": "Thornton", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _searched(client):
    response = client.post(reverse("children:search"), CRITERIA)
    return response, response["Location"]


def test_a_search_redirects_to_its_results_with_no_criteria_in_the_address(world, child):
    response, location = _searched(signed_in(world.alice))
    assert response.status_code == 303
    assert location.startswith("/children/search/results/")
    for typed in ("Thornton", "thornton", "2015", "family_name", "dob"):
        assert typed not in location


def test_the_results_page_shows_the_children_the_search_found(world, child):
    client = signed_in(world.alice)
    _, location = _searched(client)
    page = client.get(location).content.decode()
    assert "1 child found" in page
    assert "Amelia Thornton" in page
    assert reverse("children:purpose", args=[child.pk]) in page
    assert "Family name matches, date of birth matches" in page
    assert (
        f'<form method="post" action="{reverse("children:search")}"' in page
    )  # "Search again" searches anew


def test_showing_the_results_again_runs_and_audits_no_second_search(world, child):
    client = signed_in(world.alice)
    _, location = _searched(client)
    first = client.get(location).content.decode()
    second = client.get(location).content.decode()
    assert "Amelia Thornton" in first and "Amelia Thornton" in second
    assert AuditEvent.objects.filter(tag=AuditTag.SearchPerformed).count() == 1


def test_back_to_search_from_the_purpose_page_returns_to_the_results(world, child):
    client = signed_in(world.alice)
    _, location = _searched(client)
    page = client.get(reverse("children:purpose", args=[child.pk])).content.decode()
    assert f'<a href="{location}" class="govuk-back-link">Back to search</a>' in page


def test_back_to_search_without_a_kept_search_goes_to_the_empty_search_page(world, child):
    page = signed_in(world.alice).get(reverse("children:purpose", args=[child.pk])).content.decode()
    assert f'<a href="{reverse("children:search")}" class="govuk-back-link">Back to search</a>' in page


def test_another_persons_search_id_shows_them_nothing_of_it(world, child):
    _, location = _searched(signed_in(world.alice))
    page = signed_in(world.bob).get(location).content.decode()
    assert "Those search results are no longer available" in page
    assert "Find a child</h1>" in page
    assert "Amelia Thornton" not in page


def test_an_expired_search_shows_the_empty_form_with_a_notice(world, child):
    client = signed_in(world.alice)
    with override_settings(SEARCH_RESULTS_TTL_SECONDS=-1):
        _, location = _searched(client)
    page = client.get(location).content.decode()
    assert "Those search results are no longer available" in page
    assert "Amelia Thornton" not in page
    assert 'name="family_name"' in page


def test_a_search_with_form_errors_is_shown_on_the_post_without_a_redirect(world, child):
    response = signed_in(world.alice).post(reverse("children:search"), {"family_name": "Thornton"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_a_child_archived_since_the_search_drops_out_of_the_results_shown_again(world, child):
    client = signed_in(world.alice)
    _, location = _searched(client)
    child_archive(child_id=child.pk, rule="age", today=date.today())
    page = client.get(location).content.decode()
    assert "No children found" in page
    assert "Amelia Thornton" not in page


def test_the_session_keeps_no_search_criteria(world, child):
    client = signed_in(world.alice)
    client.post(reverse("children:search"), {**CRITERIA, "given_name": "Amelia", "postcode": "LS1 4AB"})
    kept = str(dict(client.session))
    for typed in ("Thornton", "Amelia", "LS1", "2015-03-04"):
        assert typed not in kept


def test_a_child_shielded_since_the_search_is_left_out_of_the_results_shown_again(world, child):
    """A merge with a shielded record shields the survivor: Back to the results must not say where it
    lives, as a search made now would not. Since session 39 it is left out altogether (a child renamed
    and shielded since would link its old name to its new one), and the page says to search again."""
    from children.models import Child

    client = signed_in(world.alice)
    results = client.post(reverse("children:search"), {"family_name": "Thornton", "postcode": "LS1 4AB"})
    assert "postcode matches" in client.get(results["Location"]).content.decode()
    Child.objects.filter(pk=child.pk).update(shielded=True)
    page = client.get(results["Location"]).content.decode()
    results_list = page.split('id="results"')[1].split("<form")[0]  # the results, not the form's hints
    assert "Leeds" not in results_list and "postcode matches" not in results_list
    assert "Family name matches" not in results_list
    assert "Search again to see who matches now" in page


def test_every_why_part_about_the_address_names_the_postcode():
    """`why_without_address` drops the parts that name the postcode: every address level must."""
    from matching.scoring import WHY

    assert all("postcode" in text for (field, _), text in WHY.items() if field.startswith("postcode"))
