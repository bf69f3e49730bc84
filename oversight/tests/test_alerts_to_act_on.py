"""Alerts a team can act on: the reason given, who raised it and how to reach them, a count in the
navigation, and opening the record from the alert is not an unexplained view."""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.override import shield_override
from oversight.models import Alert
from oversight.services import alert_acknowledge, alert_reason
from reports.reports import unexplained_views
from tests.journeys import signed_in
from tests.pages import rendered


def test_the_queue_shows_the_reason_and_the_officers_role_organisation_and_contacts(world, shielded_child):
    shield_override(child=shielded_child, by=world.olivia, reason="Synthetic: child reported missing tonight")
    page = rendered(
        signed_in(world.lena).get(reverse("oversight:alerts")), heading="Alerts for your local authority"
    )
    assert "Reason given: &ldquo;Synthetic: child reported missing tonight&rdquo;" in page
    assert "Olivia Example" in page
    assert "Practitioner with shield override, Southborough Police" in page
    assert 'href="tel:03001112222"' in page
    assert 'href="mailto:olivia@example.org"' in page


def test_the_reason_is_stored_sealed_not_in_clear(world, shielded_child):
    shield_override(child=shielded_child, by=world.olivia, reason="Synthetic reason text")
    alert = Alert.objects.get()
    assert "Synthetic" not in alert.reason_sealed
    assert alert_reason(alert) == "Synthetic reason text"


def test_the_navigation_counts_alerts_waiting_for_the_team(world, shielded_child):
    shield_override(child=shielded_child, by=world.olivia, reason="Synthetic")
    shield_override(child=shielded_child, by=world.olivia, reason="Synthetic again")
    client = signed_in(world.lena)
    page = client.get(reverse("team:users")).content.decode()
    assert '2<span class="govuk-visually-hidden"> waiting</span>' in page
    alert_acknowledge(alert=Alert.objects.first(), by=world.lena)
    page = client.get(reverse("team:users")).content.decode()
    assert '1<span class="govuk-visually-hidden"> waiting</span>' in page


def test_another_la_team_sees_no_count_for_this_las_alerts(world, shielded_child):
    from accounts.models import Role
    from tests.personas import make_user

    shield_override(child=shielded_child, by=world.olivia, reason="Synthetic")
    stella = make_user("stella", world.south, Role.LA_TEAM)
    page = signed_in(stella).get(reverse("team:users")).content.decode()
    assert "waiting</span>" not in page


def test_a_record_opened_from_an_alert_is_not_an_unexplained_view(world, shielded_child):
    shield_override(child=shielded_child, by=world.olivia, reason="Synthetic")
    alert = Alert.objects.get()
    client = signed_in(world.lena)
    purpose = reverse("children:purpose", args=[shielded_child.pk]) + f"?alert={alert.pk}"
    assert client.post(purpose, {"purpose": "safeguarding"}).status_code == 302
    assert client.get(reverse("children:record", args=[shielded_child.pk])).status_code == 200
    view = AuditEvent.objects.filter(tag=AuditTag.RecordViewed, actor=world.lena).get()
    assert view.additional["alert_id"] == alert.pk
    assert not unexplained_views(fetched_by=world.lena).filter(pk=view.pk).exists()


def test_an_alert_id_for_another_child_or_la_does_not_explain_a_view(world, child, shielded_child):
    shield_override(child=shielded_child, by=world.olivia, reason="Synthetic")
    alert = Alert.objects.get()
    client = signed_in(world.lena)
    purpose = reverse("children:purpose", args=[child.pk]) + f"?alert={alert.pk}"  # not this child's alert
    client.post(purpose, {"purpose": "safeguarding"})
    client.get(reverse("children:record", args=[child.pk]))
    view = AuditEvent.objects.filter(tag=AuditTag.RecordViewed, actor=world.lena).get()
    assert "alert_id" not in view.additional
    assert unexplained_views(fetched_by=world.lena).filter(pk=view.pk).exists()


def test_an_acknowledged_alert_no_longer_explains_opening_its_record(world, shielded_child):
    """Otherwise a team member could reopen the child from a closed alert's link, or its id, for ever,
    and no view would ever count as unexplained: only an alert still waiting is being acted on."""
    shield_override(child=shielded_child, by=world.olivia, reason="Synthetic")
    alert = Alert.objects.get()
    alert_acknowledge(alert=alert, by=world.lena)
    client = signed_in(world.lena)
    queue = client.get(reverse("oversight:alerts")).content.decode()
    assert f"?alert={alert.pk}" not in queue and "Open record" in queue
    purpose = reverse("children:purpose", args=[shielded_child.pk]) + f"?alert={alert.pk}"
    assert client.post(purpose, {"purpose": "safeguarding"}).status_code == 302
    assert client.get(reverse("children:record", args=[shielded_child.pk])).status_code == 200
    view = AuditEvent.objects.filter(tag=AuditTag.RecordViewed, actor=world.lena).get()
    assert "alert_id" not in view.additional
    assert unexplained_views(fetched_by=world.lena).filter(pk=view.pk).exists()
