"""Two `rotate_keys` runs overlapping for real (PostgreSQL: each thread its own session): a newer rotation
makes a new KEK current while an older run is working. No key may end under the older, superseded KEK."""

from administration.management.commands import rotate_keys
from tests.concurrency import WAITED, paused_for, postgresql_race, waiting_at_most
from tests.personas import build_world
from vault import rotation
from vault.tests.rotating import children_made, live_versions, rotate

pytestmark = postgresql_race()

N = 4


def _children() -> None:
    children_made(build_world(), N)


def test_a_run_overtaken_by_an_emergency_rotation_leaves_every_key_under_the_emergency_kek(
    monkeypatch, fresh_keys
):
    """Run A (to v2) has re-wrapped every key and is between batches when run B, on another session,
    finds nothing left of A's rotation, makes v3 current and re-wraps every key. A's next batch must
    not move them back to v2: A stops and says a newer rotation superseded it."""
    _children()

    (older, older_error), (newer, newer_error) = paused_for(
        monkeypatch,
        rotate_keys,
        "rotation_batch",
        read=lambda: rotate("--batch-size", str(N), "--retire"),
        write=rotate,
    )

    assert newer_error is None
    assert f"Started rotation to KEK v3: {N} data keys to re-wrap." in newer
    assert live_versions() == [3] * N
    assert f"Started rotation to KEK v2: {N} data keys to re-wrap." in older
    assert older_error is not None and "superseded" in str(older_error)
    assert fresh_keys.kek_versions() == [1, 2, 3]
    assert rotation.keks_retire_unused() == [1, 2]


def test_a_rotation_started_while_a_batch_is_rewrapping_waits_for_that_batch(monkeypatch, fresh_keys):
    """A batch checks that its KEK is still current and holds that true until it commits: a rotation
    started meanwhile on another session waits for it (here: gives up after 2 s). Once the batch has
    committed, the next rotation finds it done, adds v3 and takes every key the batch wrote under v2."""
    _children()
    assert rotation.rotation_start() == (2, True)

    batch, started_meanwhile = paused_for(
        monkeypatch,
        rotation,
        "_opened",
        read=lambda: rotation.rotation_batch(target=2, size=N),
        write=waiting_at_most(rotation.rotation_start),
    )

    assert started_meanwhile == WAITED
    assert batch.rewrapped == N
    assert fresh_keys.kek_versions() == [1, 2]
    assert rotation.rotation_start() == (3, True)
    assert rotation.rotation_pending(3) == N
