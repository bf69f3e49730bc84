"""The own-surname rule takes a name apart at every character that is not a letter, not only at the
spaces, hyphens, full stops and apostrophes the matching engine splits on: a double-barrelled name may
have been typed with an en dash, a Unicode hyphen or another joiner. Half of such a name is still the searcher's own family name."""

from datetime import date

import pytest

from children.search import SearchCriteria, child_search
from oversight.models import Alert, AlertKind
from oversight.rules import shares_family_name
from tests.personas import make_child

DOB = date(2015, 3, 4)


@pytest.mark.parametrize(
    "joiner",
    [".", "\u2013", "\u2010", "\u2011", "\u2212", "_", "/", "`", "\u30fb", ",", "&"],
    ids=[
        "full-stop",
        "en-dash",
        "hyphen",
        "non-breaking-hyphen",
        "minus",
        "underscore",
        "slash",
        "backtick",
        "middle-dot",
        "comma",
        "ampersand",
    ],
)
def test_half_of_a_name_joined_by_any_non_letter_is_the_searchers_own(joiner):
    assert shares_family_name(f"Jones{joiner}Example", "Example")
    assert shares_family_name("Example", f"Jones{joiner}Example")


def test_a_name_of_other_letters_joined_so_is_not_flagged():
    assert not shares_family_name("Jones.Thornton", "Example")


def test_a_search_showing_a_relative_whose_name_holds_a_full_stop_is_flagged(world):
    relative = make_child(world, given_names="Amelia", family_name="Example.Jones", date_of_birth=DOB)
    outcome = child_search(
        criteria=SearchCriteria("Example.Jones", date_of_birth=DOB), fetched_by=world.alice
    )  # Alice Example
    assert [r.child.pk for r in outcome.results] == [relative.pk]
    assert outcome.flagged_for_review
    assert Alert.objects.filter(raised_by=world.alice, kind=AlertKind.OWN_SURNAME_SEARCH).count() == 1
