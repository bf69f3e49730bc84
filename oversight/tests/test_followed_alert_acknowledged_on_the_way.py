"""An alert that followed its practitioner to another LA while the old team's acknowledgement was on its
way is not acknowledged by the old team.

The acknowledgement's page checked the alert as North's; before it was written, the administrator put the
practitioner's organisation in South and the waiting alert went with it (`alerts_follow_staff`). The
acknowledgement asks the page's question again on the alert as locked (`alert_acknowledge`'s `recheck`), so
North's team is refused (`other_la`), nothing written, and South's team still sees it waiting.
"""

from typing import Any

from django.urls import reverse

import oversight.views
from accounts.models import Organisation, Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from oversight.models import Alert, AlertKind
from oversight.services import alert_raise, alerts_follow_staff
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_user


def test_an_alert_moved_to_another_la_after_the_old_teams_page_checked_it_is_not_acknowledged(
    world, monkeypatch
):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    alert = alert_raise(local_authority=world.north, kind=AlertKind.OWN_SURNAME_SEARCH, raised_by=world.alice)
    team = world.north_social_care
    real = oversight.views.alert_acknowledge

    def moved_first(*args: Any, **kwargs: Any) -> Any:
        Organisation.objects.filter(pk=team.pk).update(
            local_authority=world.south
        )  # the administrator's move
        alerts_follow_staff(organisation_id=team.pk, from_la_id=world.north.pk, to_la_id=world.south.pk)
        return real(*args, **kwargs)

    monkeypatch.setattr(oversight.views, "alert_acknowledge", moved_first)
    response = signed_in(world.lena).post(reverse("oversight:alert_acknowledge", args=[alert.pk]))

    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()
    stored = Alert.objects.get(pk=alert.pk)
    assert stored.acknowledged_at is None and stored.local_authority_id == world.south.pk
    assert not AuditEvent.objects.filter(tag=AuditTag.AlertAcknowledged).exists()
    refused = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.lena).last()
    assert refused is not None and refused.additional["reason"] == "other_la"
    south = rendered(
        signed_in(stella).get(reverse("oversight:alerts")), heading="Alerts for your local authority"
    )
    assert "Searched for their own family name" in south
