"""Break-glass views are record views: the viewing rules (bulk viewing, outside LA) count them, and
the user's own LA team is told as for any other view. Before, 8 overrides of another LA's shielded
children in a minute raised no bulk-viewing alert and no suspension."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.override import shield_override
from children.viewing import PurposeGrant, record_view_audit
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in
from tests.personas import make_child

OVERRIDE = {"reason": "Synthetic: child reported missing tonight", "understood": "on"}
GRANT = PurposeGrant(purpose="providing_service", detail_sealed=None)
NAMES = ["Thornton", "Begum", "Okafor", "Nowak", "Patel", "Hughes", "Murray", "Quinn"]


@pytest.fixture(autouse=True)
def _three_an_hour(settings):
    settings.MISUSE_VIEWS_PER_HOUR = 3
    settings.MISUSE_VIEWS_OUTSIDE_LA_PER_HOUR = 3
    settings.MISUSE_SUSPEND_FACTOR = 2  # suspend above 6


@pytest.fixture
def shielded(world):
    return [make_child(world, family_name=name, postcode="LS6 2QT", shielded=True) for name in NAMES]


def test_breaking_glass_on_many_shielded_records_in_an_hour_alerts_the_users_own_la_team_and_suspends(
    world, shielded
):
    client = signed_in(world.olivia)
    shown = 0
    for child in shielded:
        page = client.post(reverse("children:override", args=[child.pk]), OVERRIDE).content.decode()
        shown += "LS6 2QT" in page
    world.olivia.refresh_from_db()
    assert world.olivia.suspended_at is not None
    misuse = {
        (alert.kind, alert.local_authority_id)
        for alert in Alert.objects.filter(raised_by=world.olivia).exclude(kind=AlertKind.SHIELD_OVERRIDE)
    }
    own_la = world.olivia.home_la_id
    assert misuse == {
        (AlertKind.BULK_VIEWING, own_la),
        (AlertKind.VIEWS_OUTSIDE_LA, own_la),
        (AlertKind.ACCOUNT_AUTO_SUSPENDED, own_la),
    }
    rules = [e.additional["rule"] for e in AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected)]
    assert rules.count("bulk_viewing") == 2  # the alert, then the suspension
    # The 7th override passed the hard threshold: nothing more was shown to the suspended account.
    assert shown == 6


def test_a_view_and_an_override_of_the_same_child_count_as_one_child(world, shielded):
    for child in shielded[:3]:
        record_view_audit(child=child, by=world.olivia, grant=GRANT, restricted=True)
        shield_override(child=child, by=world.olivia, reason="Synthetic: welfare check")
    assert not Alert.objects.filter(raised_by=world.olivia).exclude(kind=AlertKind.SHIELD_OVERRIDE).exists()
    shield_override(child=shielded[3], by=world.olivia, reason="Synthetic: welfare check")
    kinds = set(Alert.objects.filter(raised_by=world.olivia).values_list("kind", flat=True))
    assert kinds == {AlertKind.SHIELD_OVERRIDE, AlertKind.BULK_VIEWING, AlertKind.VIEWS_OUTSIDE_LA}


def test_an_override_is_never_counted_as_an_unexplained_view(world, settings, shielded):
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = 0  # any unexplained view at all would alert
    shield_override(child=shielded[0], by=world.olivia, reason="Synthetic: welfare check")
    kinds = set(Alert.objects.filter(raised_by=world.olivia).values_list("kind", flat=True))
    assert kinds == {AlertKind.SHIELD_OVERRIDE}
