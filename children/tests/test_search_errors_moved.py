"""Children who moved, and the search typed with their previous postcode (benchmarks only, issue #9)."""

import random
from dataclasses import replace

from children.synthetic.search_errors import ERROR_CLASSES, SEARCH_ONLY_CLASSES, corrupted, population


def test_a_moved_share_adds_previous_postcodes_and_changes_nothing_else():
    plain = list(population(random.Random(7), 2000))
    moved = list(population(random.Random(7), 2000, moved_share=0.1, moved_seed=9))
    assert [replace(m, former_postcodes=()) for m in moved] == plain
    movers = [m for m in moved if m.former_postcodes]
    assert 150 <= len(movers) <= 250  # about 10%
    assert all(m.postcode not in m.former_postcodes and len(m.former_postcodes) <= 2 for m in movers)


def test_the_previous_postcode_search_types_a_real_former_postcode_and_needs_a_move():
    moved = next(
        m for m in population(random.Random(7), 500, moved_share=0.1, moved_seed=9) if m.former_postcodes
    )
    typed = corrupted(random.Random(1), moved, "previous_postcode")
    assert typed is not None and typed.postcode in moved.former_postcodes
    assert replace(typed, postcode=moved.postcode) == moved
    assert corrupted(random.Random(1), replace(moved, former_postcodes=()), "previous_postcode") is None


def test_the_search_only_class_is_never_drawn_for_model_training():
    assert "previous_postcode" in SEARCH_ONLY_CLASSES and "previous_postcode" not in ERROR_CLASSES
