"""The national load numbers children by a fixed permutation of their position: valid, never repeated."""

import pytest

from bench.national.rows import index_number_for
from children.index_number import is_valid


def test_index_numbers_of_a_run_are_valid_and_never_repeat():
    numbers = [index_number_for(n) for n in range(200_000)]
    assert len(set(numbers)) == len(numbers)
    assert all(is_valid(n) for n in numbers[:5_000])


def test_a_position_outside_the_number_space_is_refused():
    with pytest.raises(ValueError):
        index_number_for(900_000_000)
