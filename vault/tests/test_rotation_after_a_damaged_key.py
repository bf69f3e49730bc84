"""One data key that does not open must not turn every later `rotate_keys` into a resume that does nothing.

`rotate_keys` resumes (adds no KEK) while any live data key is not under the current KEK: that is how a
crashed rotation is finished without starting a second one. A key that does not open (damaged bytes, a
row restored from elsewhere) is reported and left under its old KEK by design, so it stayed "pending"
for ever: every later run answered "Resuming rotation to KEK v2", re-wrapped nothing and added no KEK.
The operator who rotates because the key file may have been copied (docs/SECURITY.md, "Key hierarchy")
was left with the copied KEK current, every new child's key wrapped under it.
"""

from datetime import date
from io import StringIO

from django.core.management import call_command

from children.models import Child
from children.selectors import child_record
from tests.personas import make_child
from vault.keys import data_key_build
from vault.models import DataKey
from vault.rotation import rotation_start


def _rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_keys", "--no-progress", *args, stdout=out)
    return out.getvalue()


def _damaged_key() -> DataKey:
    damaged, _ = data_key_build()
    wrapped = bytes(damaged.wrapped)
    damaged.wrapped = wrapped[:-1] + bytes([wrapped[-1] ^ 0xFF])
    damaged.save()
    return damaged


def test_a_rotation_after_one_that_met_a_damaged_key_starts_a_new_kek(world, fresh_keys):
    make_child(world, given_names="Readable", date_of_birth=date(2014, 1, 1))
    damaged = _damaged_key()
    first = _rotate()
    assert "Started rotation to KEK v2" in first and str(damaged.pk) in first

    second = _rotate()

    assert "Started rotation to KEK v3: 2 data keys to re-wrap." in second
    assert "Re-wrapped 1 data keys under KEK v3" in second
    assert f"1 data key could not be opened and was left under its old KEK: {damaged.pk}" in second
    assert fresh_keys.current_kek_version() == 3
    child = Child.objects.select_related("data_key").get()
    assert child.data_key.kek_version == 3
    assert child_record(child).details.given_names == "Readable"
    assert DataKey.objects.get(pk=damaged.pk).kek_version == 1  # left as it was, for repair from a backup


def test_a_rotation_that_crashed_is_still_resumed_beside_a_damaged_key(world, fresh_keys):
    """The resume is kept for what it is for: a key the crash left behind that does open."""
    make_child(world, given_names="Readable", date_of_birth=date(2014, 1, 1))
    _damaged_key()
    target, started = rotation_start()  # a rotation that added v2, then crashed before any batch
    assert (target, started) == (2, True)

    output = _rotate()

    assert "Resuming rotation to KEK v2: 2 data keys to re-wrap." in output
    assert fresh_keys.current_kek_version() == 2
    assert Child.objects.select_related("data_key").get().data_key.kek_version == 2


def test_a_key_the_provider_revoked_does_not_hold_a_rotation_back_either(world, fresh_keys):
    """A shred whose database write failed leaves a live key the provider refuses: the next rotation
    records it as shredded; it is no unfinished rotation to resume."""
    make_child(world, given_names="Readable", date_of_birth=date(2014, 1, 1))
    victim = make_child(world, given_names="Purged", date_of_birth=date(2014, 1, 2))
    _rotate()
    DataKey.objects.filter(pk=victim.data_key_id).update(kek_version=1)  # as if restored under v1 ...
    fresh_keys.revoke([str(victim.data_key_id)])  # ... and shredded, its database write then failing

    output = _rotate()

    assert "Started rotation to KEK v3" in output
    assert "1 data key the key provider had revoked (a shred not finished) recorded as shredded" in output
    assert fresh_keys.current_kek_version() == 3
