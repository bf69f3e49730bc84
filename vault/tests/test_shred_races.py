"""A shred racing `rotate_keys --rotate-deks` for real (PostgreSQL: each thread its own connection)."""

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command

from children.models import Child
from children.selectors import child_record
from children.shredding import child_shred
from tests.concurrency import postgresql_race, run_together
from tests.personas import build_world, make_child
from vault import rotation
from vault.crypto import DecryptionFailed
from vault.models import DataKey

pytestmark = postgresql_race()

PAUSE = 2.0


def test_a_shred_while_rotate_deks_re_keys_the_child_destroys_the_new_key_too(monkeypatch, fresh_keys):
    """The rotation has given the child a fresh DEK and re-sealed its rows (not yet committed) when the
    purge shreds the child as it loaded it: the shred waits for the rotation and destroys the new key
    as well, so no field of the child decrypts afterwards."""
    world = build_world()
    child = make_child(world, given_names="Racing", family_name="Shredder")
    real = rotation._replace
    replaced = threading.Event()

    def slow_after_replacing(*args, **kwargs):
        out = real(*args, **kwargs)
        if threading.current_thread().name != "MainThread":
            replaced.set()
            time.sleep(PAUSE)
        return out

    monkeypatch.setattr(rotation, "_replace", slow_after_replacing)

    def work(i: int):
        if i == 0:
            out = StringIO()
            call_command("rotate_keys", "--no-progress", "--rotate-deks", stdout=out)
            return out.getvalue()
        stale = Child.objects.select_related("data_key").get(pk=child.pk)
        assert replaced.wait(10)
        child_shred(child=stale, by=None)
        return None

    rotated, _ = run_together(2, work)
    assert "1 DEKs replaced" in rotated
    assert DataKey.objects.filter(shredded_at__isnull=True).count() == 0
    row = Child.objects.select_related("data_key").get(pk=child.pk)
    assert row.data_key_id != child.data_key_id  # the record is now sealed under the rotation's new key
    with pytest.raises(DecryptionFailed):
        child_record(row)


def test_a_purge_racing_a_recording_neither_deadlocks_nor_leaves_the_record_readable(monkeypatch, fresh_keys):
    """Recording seals first (the child's key, FOR KEY SHARE), then inserts (the child's row, KEY SHARE);
    the purge locks the child's row, then shreds (the key). The shred's lock on the key must not wait for
    the writer's, or each waits for the other and PostgreSQL aborts one of them."""
    from children import services as child_services
    from children.models import RecordStatus
    from children.records import InvolvementDetails
    from lifecycle.services import child_purge
    from vault.sealing import Sealer

    world = build_world()
    child = make_child(world, given_names="Archived", family_name="Racer")
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    real = Sealer.seal_all
    sealed = threading.Event()

    def slow_after_sealing(self, row, values):
        real(self, row, values)
        if threading.current_thread().name != "MainThread" and not sealed.is_set():
            sealed.set()
            time.sleep(PAUSE)

    monkeypatch.setattr(Sealer, "seal_all", slow_after_sealing)
    details = InvolvementDetails("Ada Late", "Social worker", world.north_social_care.pk, "0300 1")

    def work(i: int):
        try:
            if i == 0:
                loaded = Child.objects.select_related("data_key").get(pk=child.pk)
                return child_services.involvement_record(child=loaded, by=world.alice, details=details)
            assert sealed.wait(10)
            return child_purge(child_id=child.pk)
        except Exception as error:  # a refusal is the writer's answer; a deadlock is the bug
            return error

    recorded, purged = run_together(2, work)
    assert "deadlock" not in str(recorded).lower() and "deadlock" not in str(purged).lower()
    assert purged is True
    assert not Child.objects.filter(pk=child.pk).exists()
    assert DataKey.objects.filter(pk=child.data_key_id, shredded_at__isnull=True).count() == 0
