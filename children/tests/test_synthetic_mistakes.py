"""Keying mistakes: each changes what it says, and says so when it cannot apply."""

import random
from datetime import date

import pytest

from children.records import ChildDetails
from children.synthetic import mistakes


def _rng():
    return random.Random(3)


@pytest.mark.parametrize("kind", mistakes.TYPO_KINDS)
def test_a_typo_changes_one_letter_of_a_name(kind):
    rng = _rng()
    for _ in range(50):
        typed = mistakes.typo(rng, "Thornton", kind)
        assert typed is not None and typed != "Thornton"
        assert abs(len(typed) - len("Thornton")) <= 1


def test_a_substitution_uses_a_neighbouring_key_and_keeps_the_case():
    typed = mistakes.typo(random.Random(1), "AB", "substitute")
    assert typed is not None and typed.isupper()


def test_a_one_letter_name_cannot_take_a_typo():
    assert mistakes.typo(_rng(), "J") is None


def test_a_transposed_date_of_birth_swaps_day_and_month():
    assert mistakes.dob_transposed(date(2015, 3, 4)) == date(2015, 4, 3)


def test_a_date_that_cannot_be_transposed_is_reported_as_such():
    assert mistakes.dob_transposed(date(2015, 3, 14)) is None
    assert mistakes.dob_transposed(date(2015, 5, 5)) is None


def test_a_nickname_replaces_the_first_given_name_and_drops_middle_names():
    nick = mistakes.nickname(_rng(), "William George")
    assert nick in {"Bill", "Billy", "Will", "Willie", "Willy", "Wil", "Bell", "Bela"}


def test_a_name_without_a_known_nickname_is_reported_as_such():
    assert mistakes.nickname(_rng(), "Zxqv") is None


def test_a_dropped_hyphen_gives_a_spaced_joined_or_single_part_name():
    seen = {mistakes.hyphen_dropped(random.Random(n), "Hussain-Clark") for n in range(40)}
    assert seen == {"Hussain Clark", "HussainClark", "Hussain", "Clark"}
    assert mistakes.hyphen_dropped(_rng(), "Clark") is None


def test_a_dropped_apostrophe_runs_the_name_together():
    assert mistakes.apostrophe_dropped("O'Brien") == "OBrien"
    assert mistakes.apostrophe_dropped("Brien") is None


@pytest.mark.parametrize("kind", mistakes.MISTAKE_KINDS)
def test_a_mistaken_record_differs_from_the_original_only_where_named(kind):
    details = ChildDetails(
        given_names="William George",
        family_name="O'Brien-Smith",
        gender="male",
        date_of_birth=date(2014, 2, 9),
    )
    mistaken, named = mistakes.details_mistaken(_rng(), details, kind)
    assert named == kind
    assert mistaken != details
    changed = {
        f
        for f in ("given_names", "family_name", "date_of_birth")
        if getattr(mistaken, f) != getattr(details, f)
    }
    assert len(changed) == 1
    assert mistaken.gender == details.gender and mistaken.address == details.address


def test_an_unknown_mistake_is_an_error():
    details = ChildDetails(
        given_names="Ava", family_name="Lee", gender="female", date_of_birth=date(2014, 2, 9)
    )
    with pytest.raises(ValueError, match="unknown mistake"):
        mistakes.details_mistaken(_rng(), details, "spilt_coffee")
