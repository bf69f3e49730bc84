"""Results shown again (Back, "Back to search") never tell more than the search did when it ran.

The stored results keep each child's shielded flag and a keyed digest of the name shown (never the name):
a child shielded since, or whose shown name has changed since, is left out when the page is shown again,
and the page says in words to search again. Otherwise "Back" would link the name the practitioner typed
to the child's new name, shielded tag and holding LA, which no search by the old name can now give.
"""

from dataclasses import replace
from datetime import date

from django.urls import reverse

from children.models import Child
from children.records import FormerName
from children.selectors import child_details
from children.services import child_details_update
from lifecycle.services import child_archive
from lifecycle.shielding import shield_set
from tests.journeys import signed_in
from vault.sealing import Sealer

CRITERIA = {"family_name": "Thornton", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}
SEARCH_AGAIN = "have changed since you searched and are no longer shown. Search again"


def _searched(client) -> str:
    location = client.post(reverse("children:search"), CRITERIA)["Location"]
    assert "Amelia Thornton" in client.get(location).content.decode()
    return location


def _renamed(child: Child, *, family_name: str, by) -> None:
    stored = Child.objects.get(pk=child.pk)
    details = replace(
        child_details(stored, Sealer(stored.data_key)),
        family_name=family_name,
        former_names=[FormerName(given_names="Amelia", family_name="Thornton")],
    )
    child_details_update(child=stored, details=details, columns=["family_name", "former_names"], by=by)


def _results(page: str) -> str:
    """The results part of the page, not the search form below it."""
    return page.split('id="results"')[1].split("<form")[0]


def test_a_child_renamed_and_shielded_since_the_search_is_left_out_and_the_page_says_search_again(
    world, child
):
    client = signed_in(world.alice)
    location = _searched(client)
    _renamed(child, family_name="Whitlock", by=world.lena)
    assert shield_set(
        child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm"
    )

    page = client.get(location).content.decode()
    assert "Whitlock" not in page
    assert "Shielded" not in _results(page)
    assert "Family name matches" not in page
    assert SEARCH_AGAIN in page


def test_a_child_shielded_since_the_search_is_left_out_and_the_page_says_search_again(world, child):
    client = signed_in(world.alice)
    location = _searched(client)
    assert shield_set(
        child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm"
    )

    page = client.get(location).content.decode()
    assert "Amelia Thornton" not in page
    assert "Shielded" not in _results(page)
    assert SEARCH_AGAIN in page


def test_a_child_renamed_since_the_search_is_left_out_and_the_page_says_search_again(world, child):
    client = signed_in(world.alice)
    location = _searched(client)
    _renamed(child, family_name="Whitlock", by=world.lena)

    page = client.get(location).content.decode()
    assert "Whitlock" not in page
    assert SEARCH_AGAIN in page


def test_results_shown_again_unchanged_still_show_the_children_without_asking_to_search_again(world, child):
    client = signed_in(world.alice)
    location = _searched(client)

    page = client.get(location).content.decode()
    assert "1 child found" in page
    assert "Amelia Thornton" in page
    assert "Family name matches, date of birth matches" in page
    assert SEARCH_AGAIN not in page


def test_a_child_shielded_when_searched_is_still_shown_again(world, shielded_child):
    client = signed_in(world.alice)
    criteria = {"family_name": "Okafor", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}
    location = client.post(reverse("children:search"), criteria)["Location"]
    first = client.get(location).content.decode()
    assert "Jasmine Okafor" in first and "Shielded" in _results(first)

    page = client.get(location).content.decode()
    assert "Jasmine Okafor" in page and "Shielded" in _results(page)
    assert SEARCH_AGAIN not in page


def test_the_session_keeps_neither_the_name_shown_nor_the_name_searched(world, child):
    client = signed_in(world.alice)
    _searched(client)
    kept = str(dict(client.session))
    for shown in ("Amelia", "Thornton", "amelia", "thornton", "AMELIA", "THORNTON"):
        assert shown not in kept


def test_a_child_archived_since_the_search_is_left_out_with_the_same_words(world, child):
    """Whatever the reason a child is left out, the page says the same, so it never tells which."""
    client = signed_in(world.alice)
    location = _searched(client)
    child_archive(child_id=child.pk, rule="age", today=date.today())

    page = client.get(location).content.decode()
    assert "Amelia Thornton" not in page
    assert SEARCH_AGAIN in page
