"""One letter typed as a name sounds like nobody's name.

Session 16 stopped Jaro-Winkler calling "T" similar to every Taylor (a form less than half the length of
the other is never similar to it), but phonetic agreement had no such rule: NYSIIS codes "S" as S, and
SHAH and SHAW as S too, so "S" with a date of birth listed every Shah and Shaw born that day, "family name
sounds the same"; "L" every Law and Lees, "M" every Moss and Miah. A letter is not a family name: a
search that needs one was answered without one.
"""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.journeys import signed_in
from tests.personas import make_child

BORN = date(2014, 6, 9)


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _dob_page(world, family_name):
    typed = {"family_name": family_name, "dob_day": "9", "dob_month": "6", "dob_year": "2014"}
    return signed_in(world.alice).post(reverse("children:search"), typed, follow=True).content.decode()


@pytest.mark.parametrize(
    ("letter", "names"), [("S", ("Shah", "Shaw")), ("L", ("Law", "Lees")), ("M", ("Moss", "Miah"))]
)
def test_one_letter_and_a_date_of_birth_list_no_family_whose_name_it_sounds_like(world, letter, names):
    for name in names:
        make_child(world, given_names="Ravi", family_name=name, date_of_birth=BORN)
    page = _dob_page(world, letter)
    assert not any(name in page for name in names)
    assert "No children found" in page


def test_a_short_family_name_still_finds_a_name_that_sounds_the_same(world):
    make_child(world, given_names="Mei", family_name="Howe", date_of_birth=BORN)
    assert "Mei Howe" in _dob_page(world, "Ho")


def test_a_one_letter_family_name_still_finds_itself(world):
    make_child(world, given_names="Min-jun", family_name="O", date_of_birth=BORN)
    assert "Min-jun O" in _dob_page(world, "O")
