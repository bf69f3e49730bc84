"""The migration adding withdrawal can be undone and done again, keeping the requests already stored:
a release rolled back must not lose a child's waiting request (nor leave a column the old code lacks)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lifecycle.models import Transfer, TransferStatus
from lifecycle.moves import transfer_request
from tests.personas import make_child

BEFORE = [("lifecycle", "0003_closure")]


def _columns() -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, "lifecycle_transfer")}


@pytest.mark.django_db(transaction=True)
def test_the_withdrawal_migration_reverses_and_applies_again_keeping_waiting_requests(world):
    transfer = transfer_request(child=make_child(world), to_la=world.south, by=world.lena, reason="Moved")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    assert "withdrawal_reason_sealed" not in _columns()
    OldTransfer = executor.loader.project_state(BEFORE).apps.get_model("lifecycle", "Transfer")
    assert OldTransfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # To the latest state, not only 0004: a later test must find every migration since in place.
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert "withdrawal_reason_sealed" in _columns()
    stored = Transfer.objects.get(pk=transfer.pk)
    assert (stored.status, stored.withdrawal_reason_sealed) == (TransferStatus.PENDING, "")
