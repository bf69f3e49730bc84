"""A `rotate_keys --rotate-deks` run overtaken by a newer rotation says how many data keys it gave fresh
DEKs, and what gives the rest one: a key it did not reach was re-wrapped by another run, which gives fresh
DEKs only with --rotate-deks too. Before, it said only that it was superseded, as a run without
--rotate-deks does, and an operator who asked for fresh DEKs was not told some were never given.

Run again once the newer rotation has finished, `rotate_keys --rotate-deks` starts a new rotation and gives
every owner's key a fresh DEK, those this run gave one included (checked here, as the message says so).
"""

from typing import Any

import pytest
from django.core.management.base import CommandError

from administration.management.commands import rotate_keys
from children.models import Child
from children.selectors import child_record
from vault.models import DataKey
from vault.tests.rotating import children_made, rotate

N = 5
FIRST_BATCH = 2


@pytest.fixture
def children(world):
    return children_made(world, N)


def _owners_keys() -> set[Any]:
    return set(Child.objects.values_list("data_key_id", flat=True))


def _overtaken_after_its_first_batch(monkeypatch, *args: str) -> tuple[str, CommandError | None, list]:
    """Run A (to v2) does its first batch; then another run without --rotate-deks resumes A's rotation
    and re-wraps the rest, and a newer run (to v3) starts and finishes, all before A's next batch."""
    real = rotate_keys.rotation_batch
    overtaken: list[bool] = []
    others: list[tuple[str, CommandError | None]] = []

    def batch_then_the_others(**kwargs):
        result = real(**kwargs)
        if not overtaken:  # after A's first batch only (the others' batches come through here too)
            overtaken.append(True)
            others.extend([rotate(), rotate()])
        return result

    monkeypatch.setattr(rotate_keys, "rotation_batch", batch_then_the_others)
    output, error = rotate("--batch-size", str(FIRST_BATCH), *args)
    monkeypatch.undo()
    return output, error, others


def test_a_run_with_fresh_deks_overtaken_says_how_many_it_gave_and_how_to_give_the_rest(
    children, monkeypatch, fresh_keys
):
    before = _owners_keys()

    output, error, (resumed, newer) = _overtaken_after_its_first_batch(monkeypatch, "--rotate-deks")

    assert f"Resuming rotation to KEK v2: {N - FIRST_BATCH} data keys to re-wrap." in resumed[0]
    assert "Started rotation to KEK v3" in newer[0] and newer[1] is None
    assert f"{FIRST_BATCH} DEKs replaced." in output
    assert len(_owners_keys() - before) == FIRST_BATCH  # the others kept their DEKs
    assert error is not None
    message = str(error)
    assert "superseded by a newer rotation to KEK v3" in message
    assert f"This run gave fresh DEKs to {FIRST_BATCH} of the data keys it re-wrapped" in message
    assert "unless that run had --rotate-deks too" in message
    assert "run rotate_keys --rotate-deks again once the newer rotation has finished" in message

    # What the message promises: a run then gives every owner's key a fresh DEK, not only the rest.
    given = _owners_keys()
    again, failed = rotate("--rotate-deks")
    assert failed is None
    assert "Started rotation to KEK v4" in again and f"{N} DEKs replaced." in again
    assert not _owners_keys() & given
    assert sorted(child_record(c).details.given_names for c in Child.objects.select_related("data_key")) == [
        f"Child{n}" for n in range(N)
    ]


def test_a_run_without_fresh_deks_overtaken_says_nothing_of_them(children, monkeypatch, fresh_keys):
    output, error, _ = _overtaken_after_its_first_batch(monkeypatch)

    assert "0 DEKs replaced." in output
    assert error is not None
    assert "superseded by a newer rotation to KEK v3" in str(error)
    assert "DEK" not in str(error)
    assert DataKey.objects.filter(superseded_by__isnull=False).count() == 0
