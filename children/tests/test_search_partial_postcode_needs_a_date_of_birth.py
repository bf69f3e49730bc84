"""A postcode sector is a criterion only beside a date of birth, as the search page says.

A search needs a family name and a date of birth, a full postcode, or a given name and gender; the start
of a postcode only narrows a search with a date of birth. But the scorer let an agreeing sector anchor a
match whatever the search had been let through on, so a criterion agreeing with nobody made a family name
and a sector enough: a given name "X" with the gender "not known", or a date of birth that differs
outright (1 January 2000), listed every child of that family in the sector as a match ("given name
differs, same postcode sector"). A sector is some 3,000 addresses: a family browsed by area, what the
minimum criteria exist to prevent.
"""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from children.search import SearchCriteria, child_search_matches
from tests.journeys import signed_in
from tests.pages import without_tokens
from tests.personas import make_child


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def family(world):
    amelia = make_child(world, given_names="Amelia", family_name="Quarrington", postcode="LS1 4AB")
    beth = make_child(
        world,
        given_names="Beth",
        family_name="Quarrington",
        postcode="LS1 4ZZ",
        date_of_birth=date(2012, 5, 6),
    )
    return amelia, beth


def _page(world, **typed):
    return without_tokens(
        signed_in(world.alice).post(reverse("children:search"), typed, follow=True).content.decode()
    )


@pytest.mark.parametrize("gender", ["not_specified", "female"])
def test_a_family_name_and_a_sector_with_a_given_name_that_agrees_with_nobody_list_nobody(
    world, family, gender
):
    page = _page(world, family_name="Quarrington", given_name="X", gender=gender, postcode="ls1 4")
    assert "Amelia" not in page and "Beth" not in page
    assert "No children found" in page


def test_the_same_with_the_given_names_swapped_into_the_family_box_lists_nobody(world, family):
    criteria = SearchCriteria(
        family_name="X", given_name="Quarrington", gender="not_specified", postcode="LS1 4"
    )
    assert child_search_matches(criteria) == []


def test_a_family_name_and_a_sector_with_a_date_of_birth_that_agrees_with_nobody_list_nobody(world, family):
    page = _page(
        world, family_name="Quarrington", dob_day="1", dob_month="1", dob_year="2000", postcode="LS1 4"
    )
    assert "Amelia" not in page and "Beth" not in page
    assert "No children found" in page


def test_a_given_name_that_agrees_still_finds_the_child_in_the_sector(world, family):
    page = _page(world, family_name="Quarrington", given_name="Amelia", gender="female", postcode="LS1 4")
    assert "Amelia Quarrington" in page and "Beth" not in page


def test_a_sector_still_anchors_a_search_with_a_date_of_birth_one_mistake_too_many(world, family):
    """The sector's purpose: with a date of birth typed (here the wrong day), it still finds the child."""
    criteria = SearchCriteria(family_name="Quarrington", date_of_birth=date(2015, 3, 28), postcode="LS1 4")
    assert [r.given_names for r in child_search_matches(criteria)] == ["Amelia"]


def test_a_full_postcode_agreeing_only_in_its_sector_lists_nobody_beside_criteria_agreeing_with_nobody(
    world, family
):
    """A full postcode typed that no child lives at agrees with the family only in its sector: as the
    sector typed alone, it anchors nothing beside a given name or date of birth that agrees with nobody
    (else "LS1 4ZY", any two letters added, listed the family in the sector as "LS1 4" no longer does)."""
    by_name = SearchCriteria(family_name="Quarrington", given_name="X", gender="female", postcode="LS1 4ZY")
    by_date = SearchCriteria(family_name="Quarrington", date_of_birth=date(2000, 1, 1), postcode="LS1 4ZY")
    alone = SearchCriteria(family_name="Quarrington", postcode="LS1 4ZY")
    assert child_search_matches(by_name) == []
    assert child_search_matches(by_date) == []
    assert child_search_matches(alone) == []


def test_a_full_postcode_still_finds_a_child_who_moved_within_the_sector_beside_what_agrees(world, family):
    """The old full postcode of a child who moved within the sector, with a given name (and gender) or a
    date of birth that agrees: the child is found; at the postcode itself, with the family name alone."""
    by_name = SearchCriteria(
        family_name="Quarrington", given_name="Amelia", gender="female", postcode="LS1 4ZY"
    )
    by_date = SearchCriteria(family_name="Quarrington", date_of_birth=date(2012, 5, 6), postcode="LS1 4AB")
    at_home = SearchCriteria(family_name="Quarrington", postcode="LS1 4ZZ")
    assert [r.given_names for r in child_search_matches(by_name)] == ["Amelia"]
    assert [r.given_names for r in child_search_matches(by_date)] == ["Beth"]
    assert [r.given_names for r in child_search_matches(at_home)] == ["Beth"]
