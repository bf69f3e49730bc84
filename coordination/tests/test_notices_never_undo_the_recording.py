"""A match that cannot be made, or an email that cannot be sent, never undoes the recording it follows."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Involvement
from coordination.models import Notice
from coordination.tests.support import record, record_by_page, school_teacher
from tests.journeys import signed_in


class DownMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("mail server down")


def test_a_mail_server_that_is_down_leaves_the_recording_and_the_notices(
    world, child, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    carol = school_teacher(world)
    record(child, world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        record_by_page(signed_in(carol), child)
    assert Involvement.objects.filter(recorded_by=carol).count() == 1
    assert Notice.objects.count() == 2


def test_a_failing_match_check_leaves_the_recording_and_its_audit_event(world, child, monkeypatch):
    from django.db import DatabaseError

    def broken(**kwargs):
        raise DatabaseError("lock timeout")

    monkeypatch.setattr("coordination.recording.involvement_matches_record", broken)
    carol = school_teacher(world)
    record(child, world.alice)
    record_by_page(signed_in(carol), child)
    assert Involvement.objects.filter(recorded_by=carol).count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded, actor=carol).count() == 1
    assert not Notice.objects.exists()
