"""`rotate_keys` racing real writers and another `rotate_keys` (PostgreSQL: each thread its own connection)."""

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command

from children import services as child_services
from children.models import Child
from children.selectors import child_record
from tests.concurrency import postgresql_race, run_together
from tests.personas import build_world, make_child
from vault.rotation import rotation_start

pytestmark = postgresql_race()

PAUSE = 2.0


def test_a_child_created_while_rotate_keys_retire_runs_is_readable_afterwards(monkeypatch, fresh_keys):
    """The writer wraps its DEK under v1, then takes 2 s (sealing, checking the index number) while the
    operator's run adds v2, re-wraps every committed key and retires v1: the insert re-wraps under v2."""
    world = build_world()
    make_child(world, given_names="Existing")
    real = child_services.data_key_new
    wrapped = threading.Event()

    def slow_after_wrapping():
        key = real()
        if threading.current_thread().name != "MainThread":
            wrapped.set()
            time.sleep(PAUSE)
        return key

    monkeypatch.setattr(child_services, "data_key_new", slow_after_wrapping)

    def work(i: int):
        if i == 0:
            return make_child(world, given_names="Newborn", family_name="Ashworth").pk
        assert wrapped.wait(10)
        out = StringIO()
        call_command("rotate_keys", "--no-progress", "--retire", stdout=out)
        return out.getvalue()

    created, rotated = run_together(2, work)
    assert "Retired KEKs: v1." in rotated
    assert fresh_keys.kek_versions() == [2]
    row = Child.objects.select_related("data_key").get(pk=created)
    assert row.data_key.kek_version == 2
    view = child_record(row)
    assert (view.details.given_names, view.details.family_name) == ("Newborn", "Ashworth")


@pytest.mark.parametrize("attempt", range(3))
def test_two_rotations_started_at_once_add_one_kek(fresh_keys, attempt):
    world = build_world()
    make_child(world, given_names="Existing")

    started = run_together(2, lambda i: rotation_start())

    assert sorted(started) == [(2, False), (2, True)]
    assert fresh_keys.kek_versions() == [1, 2]


def _involvement(world, name: str):
    from children.records import InvolvementDetails

    return InvolvementDetails(name, "Social worker", world.north_social_care.pk, "0300 1")


def _rotate_deks() -> str:
    out = StringIO()
    call_command("rotate_keys", "--no-progress", "--rotate-deks", stdout=out)
    return out.getvalue()


def _rotated_record(child_pk):
    """The record as a fresh request reads it, and the key it is under now."""
    row = Child.objects.select_related("data_key").get(pk=child_pk)
    return row.data_key, child_record(row)


def test_an_involvement_written_while_rotate_deks_runs_is_under_the_childs_new_key(monkeypatch, fresh_keys):
    """The writer has sealed and saved its involvement (holding the child's key) and is still in its
    transaction when `--rotate-deks` starts: the rotation waits for it instead of re-keying around it,
    and re-seals what it wrote. The record then opens whole under the new key."""
    world = build_world()
    child = make_child(world, given_names="Written", family_name="During")
    old_key = child.data_key_id
    real = child_services.event_record
    sealed = threading.Event()

    def slow_after_saving(**kwargs):
        real(**kwargs)
        if threading.current_thread().name != "MainThread":
            sealed.set()
            time.sleep(PAUSE)

    monkeypatch.setattr(child_services, "event_record", slow_after_saving)

    def work(i: int):
        if i == 0:
            loaded = Child.objects.select_related("data_key").get(pk=child.pk)
            child_services.involvement_record(
                child=loaded, by=world.alice, details=_involvement(world, "Ada Writer")
            )
            return None
        assert sealed.wait(10)
        return _rotate_deks()

    _, rotated = run_together(2, work)
    assert "1 DEKs replaced" in rotated
    key, view = _rotated_record(child.pk)
    assert key.pk != old_key and key.superseded_by_id is None
    assert (view.details.given_names, [i.details.practitioner_name for i in view.involvements]) == (
        "Written",
        ["Ada Writer"],
    )


def test_a_write_that_loaded_the_child_before_rotate_deks_committed_seals_under_the_new_key(
    monkeypatch, fresh_keys
):
    """The writer read the child (and its key) and is slow to seal; `--rotate-deks` re-keys the child and
    commits meanwhile. The write follows the key to its replacement: readable, and under the new key."""
    world = build_world()
    child = make_child(world, given_names="Loaded", family_name="Before")
    loaded = threading.Event()
    rotated_now = threading.Event()

    def work(i: int):
        if i == 0:
            stale = Child.objects.select_related("data_key").get(pk=child.pk)
            loaded.set()
            assert rotated_now.wait(20)
            child_services.involvement_record(
                child=stale, by=world.alice, details=_involvement(world, "Ben Late")
            )
            return stale.data_key_id
        assert loaded.wait(10)
        out = StringIO()
        call_command("rotate_keys", "--no-progress", "--rotate-deks", stdout=out)
        rotated_now.set()
        return out.getvalue()

    stale_key, rotated = run_together(2, work)
    assert "1 DEKs replaced" in rotated
    key, view = _rotated_record(child.pk)
    assert key.pk != stale_key
    assert (view.details.family_name, [i.details.practitioner_name for i in view.involvements]) == (
        "Before",
        ["Ben Late"],
    )


@pytest.mark.parametrize("attempt", range(2))
def test_rotate_deks_and_a_write_holding_the_childs_row_neither_deadlock_nor_lose_the_write(
    monkeypatch, fresh_keys, attempt
):
    """A record update locks the child's row, reads it, then seals. A rotation that locks the child's key
    in between must not wait for that row (the writer will wait for the key): it leaves the child for a
    later batch. Both finish, and the new name is there under the child's new key."""
    from dataclasses import replace

    world = build_world()
    child = make_child(world, given_names="Before", family_name="Held")
    child_services.involvement_record(child=child, by=world.alice, details=_involvement(world, "Cy Kept"))
    real_read = child_services.child_details
    locked = threading.Event()

    def slow_read(*args, **kwargs):
        details = real_read(*args, **kwargs)
        if threading.current_thread().name != "MainThread" and not locked.is_set():
            locked.set()
            time.sleep(PAUSE)  # the child's row is locked; its key not yet
        return details

    monkeypatch.setattr(child_services, "child_details", slow_read)

    def work(i: int):
        if i == 0:
            stale = Child.objects.select_related("data_key").get(pk=child.pk)
            details = replace(child_record(stale).details, given_names="Renamed")
            child_services.child_details_update(
                child=stale, details=details, columns=["given_names"], by=None
            )
            return None
        assert locked.wait(10)
        return _rotate_deks()

    _, rotated = run_together(2, work)
    assert "1 DEKs replaced" in rotated
    key, view = _rotated_record(child.pk)
    assert key.superseded_by_id is None and key.pk != child.data_key_id
    assert (view.details.given_names, [i.details.practitioner_name for i in view.involvements]) == (
        "Renamed",
        ["Cy Kept"],
    )
