from unittest import mock

from children import index_number
from tests.personas import make_child


def test_a_generated_index_number_has_a_valid_check_digit():
    for _ in range(200):
        assert index_number.is_valid(index_number.generate())


def test_the_check_digit_catches_single_digit_errors_and_adjacent_transpositions():
    number = index_number.generate()
    for position in range(10):
        for digit in "0123456789":
            if digit != number[position]:
                assert not index_number.is_valid(number[:position] + digit + number[position + 1 :])
    for position in range(9):
        a, b = number[position], number[position + 1]
        if a != b:
            assert not index_number.is_valid(number[:position] + b + a + number[position + 2 :])


def test_child_create_draws_again_when_an_index_number_is_taken(world):
    first = make_child(world)
    fresh = index_number.generate()
    while fresh == first.index_number:
        fresh = index_number.generate()
    with mock.patch.object(
        index_number, "generate", side_effect=[first.index_number, first.index_number, fresh]
    ):
        second = make_child(world, given_names="Other")
    assert second.index_number == fresh


def test_only_ascii_digits_make_an_index_number():
    """Superscript and other scripts' digits pass str.isdigit(), then int() or the Damm table fails on them."""
    fullwidth = "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10"
    for odd in ("²" * 10, "١٢٣٤٥٦٧٨٩٠", fullwidth, "123 456 789²"):
        assert not index_number.is_valid(odd), odd
    assert index_number.is_valid(index_number.formatted(index_number.generate()))
