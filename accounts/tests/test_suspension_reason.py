"""The reason typed for a suspension often names the child looked up: it is sealed at rest, shown only
on the account pages, and reasons held in clear before are sealed by the migration."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import suspension_reason_text, suspension_version
from tests.journeys import signed_in
from tests.pages import rendered

REASON = "Looked up Amelia Thornton at 12 Quarry Lane"


def test_the_reason_is_sealed_in_the_database_and_shown_on_the_account_page(world):
    lena = signed_in(world.lena)
    lena.post(reverse("team:suspend", args=[world.alice.pk]), {"reason": REASON})
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_user WHERE id = %s", [world.alice.pk])
        stored = " ".join(str(value) for value in cursor.fetchone())
    assert "Amelia" not in stored and "Quarry" not in stored
    page = rendered(lena.get(reverse("team:user", args=[world.alice.pk])), heading="Alice Example")
    assert f"Suspended: {REASON}" in page
    world.alice.refresh_from_db()
    assert suspension_reason_text(world.alice) == REASON


def test_reinstating_clears_the_sealed_reason(world):
    lena = signed_in(world.lena)
    lena.post(reverse("team:suspend", args=[world.alice.pk]), {"reason": REASON})
    world.alice.refresh_from_db()
    lena.post(
        reverse("team:reinstate", args=[world.alice.pk]), {"suspension": suspension_version(world.alice)}
    )
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None and suspension_reason_text(world.alice) == ""


BEFORE = [("accounts", "0006_home_postcode_token")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_reasons_held_in_clear(world):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    OldUser = executor.loader.project_state(BEFORE).apps.get_model("accounts", "User")
    OldUser.objects.filter(pk=world.alice.pk).update(suspended_at=timezone.now(), suspension_reason=REASON)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # To the latest state, not only 0007: a later test must find every constraint added since in place.
    executor.migrate(executor.loader.graph.leaf_nodes())
    alice = User.objects.get(pk=world.alice.pk)
    assert REASON not in alice.suspension_reason_sealed
    assert suspension_reason_text(alice) == REASON
    assert suspension_reason_text(User.objects.get(pk=world.bob.pk)) == ""


def test_an_account_suspended_meanwhile_is_not_suspended_again_over_the_teams_reason(world):
    """A search in flight (its copy of the user loaded before) crossing the hard misuse threshold after
    the LA team suspended the account: one suspension, one event, the team's reason kept."""
    from accounts.services import account_suspend
    from audit.models import AuditEvent
    from audit.tags import AuditTag

    in_flight = User.objects.get(pk=world.alice.pk)  # loaded by the request before the suspension
    assert account_suspend(user=world.alice, by=world.lena, reason=REASON)
    assert not account_suspend(user=in_flight, by=None, reason="Automatic: bulk_searching")
    assert AuditEvent.objects.filter(tag=AuditTag.AccountSuspended).count() == 1
    assert suspension_reason_text(User.objects.get(pk=world.alice.pk)) == REASON
