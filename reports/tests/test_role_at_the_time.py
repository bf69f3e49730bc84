from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from reports.reports import role_at_event
from tests.journeys import signed_in, state_purpose


def test_every_event_by_a_person_records_their_role_at_the_time(world, child):
    client = signed_in(world.olivia)
    state_purpose(client, child)
    client.get(reverse("children:record", args=[child.pk]))
    event = AuditEvent.objects.get(tag=AuditTag.RecordViewed)
    assert event.additional["actor_role"] == Role.OVERRIDE_HOLDER


def test_reports_show_the_role_held_when_the_person_acted_not_today(world, child):
    event = event_record(tag=AuditTag.RecordViewed, actor=world.olivia, child_id=child.pk)
    world.olivia.role = Role.PRACTITIONER
    world.olivia.save()
    assert role_at_event(event, world.olivia) == Role.OVERRIDE_HOLDER.label


def test_events_from_before_roles_were_recorded_fall_back_to_the_current_role(world):
    event = AuditEvent(additional={})
    assert role_at_event(event, world.alice) == Role.PRACTITIONER.label
    assert role_at_event(event, None) == ""


def test_system_events_carry_no_role(world):
    event = event_record(tag=AuditTag.LoginFailed, actor=None)
    assert "actor_role" not in event.additional
