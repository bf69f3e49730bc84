"""What the alert queue shows beside each alert: the waiting count, and the override reason while it lives."""

import pytest

from children.override import shield_override
from children.shredding import child_shred
from oversight.models import Alert, AlertKind
from oversight.services import alert_reason, alerts_unacknowledged_count
from vault.providers import key_provider


@pytest.fixture(autouse=True)
def fresh_keys():
    key_provider.cache_clear()
    yield
    key_provider.cache_clear()


def test_the_waiting_count_is_the_las_unacknowledged_alerts_only(world):
    waiting = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice
    )
    Alert.objects.create(local_authority=world.south, kind=AlertKind.BULK_VIEWING, raised_by=world.bob)
    done = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice
    )
    done.acknowledged_by = world.lena
    done.acknowledged_at = waiting.raised_at
    done.save()
    assert alerts_unacknowledged_count(local_authority_id=world.north.pk) == 1


def test_an_account_with_no_home_la_has_no_alerts_waiting(world):
    Alert.objects.create(local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice)
    assert alerts_unacknowledged_count(local_authority_id=None) == 0


def test_the_override_reason_is_shown_until_the_childs_key_is_shredded(world, shielded_child):
    shield_override(child=shielded_child, by=world.olivia, reason="Reported missing overnight")
    alert = Alert.objects.get(kind=AlertKind.SHIELD_OVERRIDE)
    assert alert_reason(alert) == "Reported missing overnight"

    child_shred(child=shielded_child, by=world.dara)
    assert alert_reason(Alert.objects.get(pk=alert.pk)) == ""


def test_an_alert_without_a_reason_shows_none(world):
    alert = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice
    )
    assert alert_reason(alert) == ""
