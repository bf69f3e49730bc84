"""`rotate_keys` racing real writers and another `rotate_keys` (PostgreSQL: each thread its own connection)."""

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from children import services as child_services
from children.models import Child
from children.selectors import child_record
from tests.concurrency import run_together
from tests.personas import build_world, make_child
from vault.rotation import rotation_start

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]

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
