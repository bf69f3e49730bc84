"""An automatic suspension is audited with what crossed the hard threshold: the count and the threshold
in force. Before, its `oversight:misuse:suspected` event said only `"suspended": true`; the count was on
the alert's event, often raised much earlier in the hour at a lower count, and the hard threshold (a
setting, `MISUSE_SUSPEND_FACTOR` times the rule's) was recorded nowhere, so an auditor could not tell
from the log whether a suspension was justified under the settings of the day."""

import pytest

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.viewing import PurposeGrant, record_view_audit
from oversight.models import Alert, AlertKind
from tests.personas import make_child

GRANT = PurposeGrant(purpose="providing_service", detail_sealed=None)
NAMES = ["Thornton", "Begum", "Okafor", "Nowak", "Patel", "Hughes", "Murray", "Quinn"]


@pytest.fixture(autouse=True)
def _three_an_hour(settings):
    settings.MISUSE_VIEWS_PER_HOUR = 3
    settings.MISUSE_SUSPEND_FACTOR = 2  # suspend above 6
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = 100  # these views follow no search


def test_the_automatic_suspension_is_audited_with_the_count_and_the_hard_threshold(world):
    children = [make_child(world, family_name=name) for name in NAMES[:7]]
    for child in children:
        record_view_audit(child=child, by=world.alice, grant=GRANT, restricted=False)

    world.alice.refresh_from_db()
    assert world.alice.suspended_at is not None
    alerted = Alert.objects.get(kind=AlertKind.BULK_VIEWING)
    suspended = Alert.objects.get(kind=AlertKind.ACCOUNT_AUTO_SUSPENDED)
    signals = AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected).order_by("id")
    assert [s.additional for s in signals] == [
        {
            "actor_role": "practitioner",
            "rule": "bulk_viewing",
            "alert_id": alerted.pk,
            "count": 4,
            "per_hour": 3,
        },
        {
            "actor_role": "practitioner",
            "rule": "bulk_viewing",
            "alert_id": suspended.pk,
            "suspended": True,
            "count": 7,
            "suspend_above": 6,
        },
    ]
