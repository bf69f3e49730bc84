"""The own-surname rule judges what the search showed, not only what was typed: a search that finds
the searcher's namesake is flagged however the name was typed."""

from datetime import date

import pytest

from children.search import SearchCriteria, child_search
from oversight.models import Alert, AlertKind
from tests.personas import make_child

DOB = date(2015, 3, 4)


@pytest.mark.parametrize(
    ("family", "given"),
    [
        ("Amelia", "Example"),  # the boxes swapped: the search tries both orders
        ("\u0415\u0445\u0430m\u0440l\u0435", ""),  # "Example" with Cyrillic look-alike letters
        ("ExampIe", ""),  # a capital I for the l
        ("Exmaple", ""),  # two letters swapped
    ],
    ids=["swapped-boxes", "look-alike-letters", "capital-i-for-l", "letters-swapped"],
)
def test_a_search_that_shows_the_searchers_namesake_is_flagged_however_it_was_typed(world, family, given):
    relative = make_child(world, given_names="Amelia", family_name="Example", date_of_birth=DOB)
    outcome = child_search(
        criteria=SearchCriteria(family, given_name=given, date_of_birth=DOB), fetched_by=world.alice
    )  # Alice Example
    assert [r.child.pk for r in outcome.results] == [relative.pk]
    assert outcome.flagged_for_review
    assert Alert.objects.filter(raised_by=world.alice, kind=AlertKind.OWN_SURNAME_SEARCH).count() == 1


def test_a_search_showing_only_other_names_is_not_flagged(world):
    make_child(world, given_names="Amelia", family_name="Thornton", date_of_birth=DOB)
    outcome = child_search(criteria=SearchCriteria("Thornton", date_of_birth=DOB), fetched_by=world.alice)
    assert outcome.results and not outcome.flagged_for_review
    assert not Alert.objects.filter(kind=AlertKind.OWN_SURNAME_SEARCH).exists()
