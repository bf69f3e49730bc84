"""The test suite's PostgreSQL flush (config/test_postgresql) leaves every table empty, the audit ledger's
included, as Django's TRUNCATE of every table would: a test that commits must not leave rows to the next."""

import pytest
from django.core.management import call_command
from django.db import connection

from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from tests.personas import build_world, make_child

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite's flush deletes"),
    pytest.mark.django_db(transaction=True),
]


def _rows_left() -> dict[str, int]:
    left: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names)
            (count,) = cursor.fetchone()
            if count:
                left[table] = count
    return left


def test_the_flush_empties_every_table_the_append_only_ledger_included():
    assert type(connection.ops).__module__ == "config.test_postgresql.base"
    world = build_world()
    child = make_child(world)
    event_record(
        tag=AuditTag.SearchPerformed, actor=world.alice, additional={"result_ids": [str(child.pk)]}
    )  # files its search appearance
    before = _rows_left()
    assert {"accounts_user", "children_child", "audit_auditevent", "audit_searchappearance"} <= set(before)

    # As `TransactionTestCase._fixture_teardown` calls it after every test that commits.
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False, inhibit_post_migrate=True)

    assert _rows_left() == {}
    assert not AuditEvent.objects.exists()


def test_the_ledger_still_refuses_a_delete_outside_the_flush():
    """The flush truncates the ledger's tables because their trigger refuses DELETE: that trigger stands."""
    world = build_world()
    event_record(tag=AuditTag.SearchPerformed, actor=world.alice, additional={"result_ids": []})
    with pytest.raises(Exception, match="append-only"):
        AuditEvent.objects.all().delete()
