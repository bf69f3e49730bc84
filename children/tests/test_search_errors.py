import random
from datetime import date

import pytest

from children.synthetic.search_errors import ERROR_CLASSES, Person, corrupted, population, rare_family_name

ELIZABETH = Person(
    given="Elizabeth Rose", family="Smith-Jones", gender="female", dob=date(2015, 4, 9), postcode="LS1 4AB"
)


@pytest.mark.parametrize("error", ERROR_CLASSES)
def test_each_error_class_changes_the_search_and_nothing_else_it_should_not(error):
    rng = random.Random(3)
    changed = next(c for c in (corrupted(rng, ELIZABETH, error) for _ in range(50)) if c is not None)
    assert changed != ELIZABETH
    assert changed.gender == ELIZABETH.gender


def test_the_population_is_the_same_for_the_same_seed():
    assert list(population(random.Random(7), 5)) == list(population(random.Random(7), 5))


def test_long_tail_names_are_invented_and_varied():
    rng = random.Random(1)
    names = {rare_family_name(rng) for _ in range(200)}
    assert len(names) > 150


def test_one_or_two_letters_and_a_postcode_do_not_list_a_households_children(world):
    """No browsing: a prefix is not a slip of a name, so it is not "partly similar" to every name it
    begins; with a postcode it would list the children living there."""
    from children.search import SearchCriteria, child_search
    from tests.personas import make_child

    make_child(world, given_names="Ben", family_name="Thomas", postcode="LS1 4AB", gender="male")
    make_child(world, given_names="Eve", family_name="Tan", postcode="LS1 4AB")
    make_child(world, given_names="Dan", family_name="Taylor", postcode="LS1 4AB", gender="male")
    for typed in ("T", "Th"):
        outcome = child_search(criteria=SearchCriteria(typed, postcode="LS1 4AB"), fetched_by=world.alice)
        assert [r.family_name for r in outcome.results] == [], typed
