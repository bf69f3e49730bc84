"""Two `rotate_keys` runs that overlap: a newer rotation (an emergency one, say) makes a new KEK current
while an older run is between batches. The older run must stop, never move a key back to its own,
superseded KEK. These tests make the exact sequence two runs make, in one session (SQLite and
PostgreSQL); `test_overlapping_rotation_races` races them on separate PostgreSQL sessions."""

import pytest
from django.core.management.base import CommandError

from administration.management.commands import rotate_keys
from children.models import Child
from children.selectors import child_record
from vault import rotation
from vault.models import DataKey
from vault.tests.rotating import children_made, live_versions, rotate

N = 5


@pytest.fixture
def children(world):
    return children_made(world, N)


def _names() -> list[str]:
    rows = Child.objects.select_related("data_key").order_by("index_number")
    return sorted(child_record(row).details.given_names for row in rows)


def test_a_run_overtaken_between_batches_stops_and_leaves_every_key_under_the_newer_kek(
    children, monkeypatch, fresh_keys
):
    """Run A (to v2) has re-wrapped every key and is about to take its next batch when run B starts:
    nothing is left of A's rotation, so B makes v3 current and re-wraps every key under it. A's next
    batch must not take B's keys back to v2; A says it was superseded, fails, and retires nothing."""
    real = rotate_keys.rotation_batch
    runs: list[tuple[str, CommandError | None]] = []
    overtaken = []

    def batch_then_newer_run(**kwargs):
        result = real(**kwargs)
        if not overtaken:  # after A's first batch only (B's own batches come through here too)
            overtaken.append(True)
            runs.append(rotate())  # run B, start to finish, between two of A's batches
        return result

    monkeypatch.setattr(rotate_keys, "rotation_batch", batch_then_newer_run)

    output, error = rotate("--batch-size", str(N), "--retire")

    newer_output, newer_error = runs[0]
    assert newer_error is None
    assert f"Started rotation to KEK v3: {N} data keys to re-wrap." in newer_output
    assert live_versions() == [3] * N  # not one key back under v2
    assert f"Started rotation to KEK v2: {N} data keys to re-wrap." in output
    assert f"Re-wrapped {N} data keys under KEK v2" in output
    assert error is not None
    assert "superseded" in str(error) and "KEK v3" in str(error)
    assert "Retired KEKs" not in output
    assert fresh_keys.kek_versions() == [1, 2, 3]  # A retired nothing; B's run (or the next) does
    assert _names() == [f"Child{n}" for n in range(N)]


def test_an_overtaken_batch_rewraps_nothing_and_the_newer_rotation_resumes_to_the_end(children, fresh_keys):
    """The calls two runs make, in order: A starts (v2) and does every key; B starts (v3), does two keys
    and dies. A's next batch is refused and touches nothing; no key under v3 counts as work for v2. A
    re-run resumes B's rotation (v3), not A's, and then v1 and v2 can both be retired."""
    assert rotation.rotation_start() == (2, True)
    assert rotation.rotation_batch(target=2, size=N).rewrapped == N
    assert rotation.rotation_start() == (3, True)
    assert rotation.rotation_batch(target=3, size=2).rewrapped == 2
    # ...run B dies here.

    before = {k.pk: bytes(k.wrapped) for k in DataKey.objects.all()}
    try:
        rotation.rotation_batch(target=2, size=N)
    except Exception as raised:  # what it raised is checked after the keys (the old code raised nothing)
        refused = raised
    else:
        refused = None

    assert live_versions() == [2] * (N - 2) + [3] * 2
    assert {k.pk: bytes(k.wrapped) for k in DataKey.objects.all()} == before
    assert isinstance(refused, rotation.RotationSuperseded)
    assert (refused.target, refused.current) == (2, 3)
    assert rotation.rotation_pending(2) == 0
    assert rotation.rotation_pending(3) == N - 2
    assert rotation.keks_kept() == {1: 0, 2: N - 2}
    assert rotation.keks_retire_unused() == [1]

    output, error = rotate("--batch-size", "2", "--retire")

    assert error is None
    assert f"Resuming rotation to KEK v3: {N - 2} data keys to re-wrap." in output
    assert "Retired KEKs: v2." in output
    assert live_versions() == [3] * N
    assert fresh_keys.kek_versions() == [3]
    assert rotation.keks_kept() == {}
    assert _names() == [f"Child{n}" for n in range(N)]
