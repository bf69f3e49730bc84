import logging
import smtplib

from django.core import mail

from children.override import shield_override
from notices.email import notify_by_email
from oversight.models import Alert


def test_a_notification_goes_to_every_non_empty_recipient():
    assert notify_by_email(subject="s", message="m", recipients=["a@example.org", ""], what="test")
    assert mail.outbox[0].to == ["a@example.org"]


def test_no_recipients_sends_nothing():
    assert not notify_by_email(subject="s", message="m", recipients=[""], what="test")
    assert mail.outbox == []


def test_a_mail_server_that_is_down_never_undoes_an_override(
    world, shielded_child, settings, caplog, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("notices.email.send_mail", refuse)
    with (
        caplog.at_level(logging.WARNING, logger="notices.email"),
        django_capture_on_commit_callbacks(execute=True),  # the alert email goes out on commit
    ):
        shield_override(child=shielded_child, by=world.olivia, reason="emergency")
    assert Alert.objects.filter(child_id=shielded_child.pk).count() == 1
    assert "notification email not sent: alert" in caplog.text


def test_an_smtp_error_is_reported_as_not_sent(monkeypatch):
    def reject(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({})

    monkeypatch.setattr("notices.email.send_mail", reject)
    assert not notify_by_email(subject="s", message="m", recipients=["a@example.org"], what="test")
