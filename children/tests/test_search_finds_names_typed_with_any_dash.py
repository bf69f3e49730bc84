"""A name typed with a dash other than the ASCII hyphen finds what the hyphen finds (issue 9, requirement 3:
"hyphen ... variants").

The search form takes any character in a name box, and phones, word processors and copied text put the
Unicode hyphen (U+2010), the non-breaking hyphen (U+2011), the en and em dashes (U+2013, U+2014) or the
minus sign (U+2212) where a hyphen was meant; some people type a slash between the two halves of a name.
`matching.normalise.NAME_SEPARATORS` split at the ASCII hyphen only, so "Smith\u2011Jones" was the one form
SMITHJONES: its part JONES was never looked up or compared, and a child recorded as Jones was answered
"No children found" where "Smith-Jones" finds her. A stored name cannot hold these characters
(`children.text`), so only the search side went wrong; that filing keys are unchanged is pinned in
matching/tests/test_dashes_split_names_and_leave_stored_keys_unchanged.py.
"""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from children.forms import SearchForm
from children.search import SearchCriteria, child_search
from tests.journeys import signed_in
from tests.personas import make_child

# hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus sign, full-width hyphen-minus, slash
JOINERS = ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "\uff0d", "/"]


@pytest.mark.parametrize("joiner", JOINERS)
def test_a_family_name_joined_by_any_dash_finds_the_child_recorded_under_one_half(world, joiner):
    jones = make_child(world, given_names="Amelia", family_name="Jones", date_of_birth=date(2015, 3, 4))
    form = SearchForm(
        {"family_name": f"Smith{joiner}Jones", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}
    )
    assert form.is_valid(), form.errors
    hyphen = child_search(
        criteria=SearchCriteria("Smith-Jones", date_of_birth=date(2015, 3, 4)), fetched_by=world.alice
    )
    assert [r.child.pk for r in hyphen.results] == [jones.pk]
    typed = child_search(criteria=form.criteria(), fetched_by=world.alice)
    assert (typed.too_many, typed.near_miss) == (False, False)
    assert [r.child.pk for r in typed.results] == [jones.pk]


@pytest.mark.parametrize("joiner", JOINERS)
def test_a_given_name_joined_by_any_dash_finds_the_child_recorded_under_one_half(world, joiner):
    mae = make_child(world, given_names="Mae", family_name="Thornton")
    typed = child_search(
        criteria=SearchCriteria("Thornton", given_name=f"Holly{joiner}Mae", gender="female"),
        fetched_by=world.alice,
    )
    assert [r.child.pk for r in typed.results] == [mae.pk], (typed.too_many, typed.near_miss)


def test_the_results_page_finds_the_child_for_an_en_dash(world):
    cache.clear()
    make_child(world, given_names="Amelia", family_name="Jones", date_of_birth=date(2015, 3, 4))
    data = {"dob_day": "4", "dob_month": "3", "dob_year": "2015", "family_name": "Smith\u2013Jones"}
    page = signed_in(world.alice).post(reverse("children:search"), data, follow=True).content.decode()
    assert "Amelia Jones" in page
    assert "No children found" not in page


def test_a_dash_counts_parts_as_the_hyphen_does_for_the_names_per_box_rule(world):
    """Each part a dash splits off is a name looked up, so the box's limit counts it (`too_many_names`)."""
    many = "\u2013".join(["Smith", "Jones", "Brown", "Taylor"])
    form = SearchForm({"family_name": many, "dob_day": "4", "dob_month": "3", "dob_year": "2015"})
    assert not form.is_valid() and "family_name" in form.errors
    assert not SearchForm(
        {"family_name": many.replace("\u2013", "-"), "dob_day": "4", "dob_month": "3", "dob_year": "2015"}
    ).is_valid()
