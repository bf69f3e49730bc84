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
