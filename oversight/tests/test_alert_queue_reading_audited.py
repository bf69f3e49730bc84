"""Reading the alert queue is audited: it opens each break-glass reason (sealed under the child's key:
free text an officer typed about a shielded child) and names the people each alert is about, so who read
it, and which reasons they were shown, must be reviewable like every other read of sealed data."""

import json

from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.override import shield_override
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_user

REASON = "Synthetic: reported missing from the placement tonight"


def test_reading_the_queue_is_audited_with_the_reasons_it_opened_and_never_their_text(world, shielded_child):
    shield_override(child=shielded_child, by=world.olivia, reason=REASON)
    override = Alert.objects.get()
    misuse = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.OWN_SURNAME_SEARCH, raised_by=world.alice
    )
    page = rendered(
        signed_in(world.lena).get(reverse("oversight:alerts")), heading="Alerts for your local authority"
    )
    assert f"Reason given: &ldquo;{REASON}&rdquo;" in page
    assert AlertKind.OWN_SURNAME_SEARCH.label in page

    # The queue's own read; each child whose reason it opened has one of its own too
    # (test_alert_queue_reading_on_the_childs_report.py).
    read = AuditEvent.objects.filter(tag=AuditTag.AlertsViewed, actor=world.lena, child_id=None).get()
    assert read.additional == {
        "actor_role": "la_team",
        "alert_ids": sorted([override.pk, misuse.pk]),
        "reasons_opened": [override.pk],
        "page": 1,
    }
    assert "Synthetic" not in json.dumps(read.additional)


def test_another_las_queue_read_records_none_of_this_las_alerts(world, shielded_child):
    shield_override(child=shielded_child, by=world.olivia, reason=REASON)
    stella = make_user("stella", world.south, Role.LA_TEAM)
    page = rendered(
        signed_in(stella).get(reverse("oversight:alerts")), heading="Alerts for your local authority"
    )
    assert "No alerts." in page and "Synthetic" not in page
    read = AuditEvent.objects.filter(tag=AuditTag.AlertsViewed, actor=stella).get()
    assert (read.additional["alert_ids"], read.additional["reasons_opened"]) == ([], [])
