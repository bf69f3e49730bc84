"""One name box holding a list of surnames was one audited search doing the work of several.

Each part of a typed name is a form of it (`matching.normalise.name_forms`), so that one half of a
double-barrelled name finds the child. "Smith Jones Brown Taylor Patel" with a date of birth therefore
listed every Smith, Jones, Brown, Taylor and Patel born that day, each as an exact "family name matches":
five searches' worth of children under one audit event and one count for the misuse rules. The given
name box did the same through the swapped-boxes reading. A box may now hold at most three names
(connecting words such as "de la" and single letters such as the O of O'Brien not counted); a real
longer name is still found by any one or two of its parts.
"""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.forms import SearchForm
from children.search import SearchCriteria, child_search
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child

DOB = {"dob_day": "4", "dob_month": "3", "dob_year": "2015"}
SURNAMES = ("Smith", "Jones", "Brown", "Taylor", "Patel")


def _children(world):
    return {
        name: make_child(world, given_names=given, family_name=name)
        for given, name in zip(("Amy", "Beth", "Cara", "Dora", "Evie"), SURNAMES, strict=True)
    }


@pytest.mark.parametrize(
    "boxes",
    [
        {"family_name": "Smith Jones Brown Taylor Patel"},
        {"family_name": "Smith-Jones-Brown-Taylor"},
        {"family_name": "Amy", "given_name": "Smith Jones Brown Taylor Patel"},
    ],
    ids=["spaces", "hyphens", "given-name-box"],
)
def test_a_box_listing_many_surnames_is_refused_with_a_clear_message_and_no_search(world, boxes):
    _children(world)
    client = signed_in(world.alice)
    response = client.post(reverse("children:search"), {**boxes, **DOB})
    page = rendered(response, heading="Find a child")
    assert "at most 3 names" in page
    for given in ("Amy Smith", "Beth", "Cara", "Dora", "Evie"):
        assert given not in page
    assert not AuditEvent.objects.filter(tag=AuditTag.SearchPerformed).exists()


def test_the_search_service_refuses_a_box_of_many_names_whatever_page_calls_it(world):
    _children(world)
    with pytest.raises(ValueError):
        child_search(
            criteria=SearchCriteria(" ".join(SURNAMES), date_of_birth=date(2015, 3, 4)),
            fetched_by=world.alice,
        )
    assert not AuditEvent.objects.filter(tag=AuditTag.SearchPerformed).exists()


@pytest.mark.parametrize(
    "family_name",
    ["Garcia de la Cruz", "van der Berg-Smith", "O'Brien-McCarthy", "Smith-Jones", "Bin Abdullah Al Saud"],
)
def test_real_compound_family_names_are_still_searched(world, family_name):
    form = SearchForm({"family_name": family_name, **DOB})
    assert form.is_valid(), form.errors


def test_a_long_compound_name_is_found_by_one_of_its_parts(world):
    child = make_child(world, given_names="Lucia", family_name="Fernandez de la Cruz Garcia Lopez")
    outcome = child_search(
        criteria=SearchCriteria("Cruz Lopez", date_of_birth=date(2015, 3, 4)), fetched_by=world.alice
    )
    assert [r.child.pk for r in outcome.results] == [child.pk]


def test_the_box_is_split_where_the_matching_engine_splits_a_name():
    """Every separator the engine looks a name's parts up by counts here too (typographic apostrophes)."""
    from children.search import too_many_names

    assert too_many_names("Smith\u2019Jones\u2018Brown\u02bcTaylor")
    assert not too_many_names("Smith\u2019Jones\u2018Brown")


def test_the_refusal_is_the_only_message_on_the_box():
    form = SearchForm({"family_name": "Smith Jones Brown Taylor", **DOB})
    assert not form.is_valid()
    assert form.errors["family_name"] == [
        "Enter at most 3 names as the family name: any one part of a longer name finds the child"
    ]
