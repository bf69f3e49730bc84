"""The service health page's key figures: live data keys by the KEK version wrapping them, the oldest live
one, and how many still await rotation to the current version. A shredded key counts in none of them (its
record is gone); they come from one pass over the keys (a key a record: 12 million of them)."""

from datetime import datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from reports.health import key_health
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_user
from vault.keys import key_provider
from vault.models import DataKey


def _key(version: int, *, made: datetime, shredded: bool = False) -> None:
    """A key row as the figures read it (the version written over: no KEK of that version need exist)."""
    key = DataKey.objects.create(wrapped=b"\x00", kek_version=key_provider().current_kek_version())
    DataKey.objects.filter(pk=key.pk).update(
        kek_version=version, created_at=made, shredded_at=timezone.now() if shredded else None
    )


def test_live_keys_are_counted_by_version_with_the_oldest_and_those_awaiting_rotation(db):
    current = key_provider().current_kek_version()
    now = timezone.now()
    DataKey.objects.all().delete()
    _key(current, made=now - timedelta(days=3))
    _key(current, made=now - timedelta(days=1))
    _key(current + 1, made=now - timedelta(days=5))  # wrapped by another version: awaits rotation
    _key(current + 1, made=now - timedelta(days=900), shredded=True)  # gone: counted nowhere
    with CaptureQueriesContext(connection) as queries:
        health = key_health()
    assert health.data_keys_by_kek == {current: 2, current + 1: 1}
    assert health.oldest_data_key == now - timedelta(days=5)
    assert health.rotation_pending == 1
    assert sum("vault_datakey" in q["sql"] for q in queries.captured_queries) == 1


def test_no_live_key_reads_none_and_rotation_complete(db):
    DataKey.objects.all().delete()
    health = key_health()
    assert (health.data_keys_by_kek, health.oldest_data_key, health.rotation_pending) == ({}, None, 0)


def test_the_page_says_how_many_keys_await_rotation(world):
    _key(key_provider().current_kek_version() + 1, made=timezone.now())
    administrator = make_user("ada", world.north, Role.SYSTEM_ADMIN)
    page = rendered(signed_in(administrator).get(reverse("service_health")), heading="Service health")
    assert "1 data key still wrapped by an older version" in page
