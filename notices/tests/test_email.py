import logging
import smtplib

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as OutboxBackend

from children.override import shield_override
from notices.email import notify_by_email
from oversight.models import Alert


def test_a_notification_goes_to_every_non_empty_recipient():
    assert notify_by_email(subject="s", message="m", recipients=["a@example.org", ""], what="test")
    assert mail.outbox[0].to == ["a@example.org"]


def test_no_recipients_sends_nothing():
    assert not notify_by_email(subject="s", message="m", recipients=[""], what="test")
    assert mail.outbox == []


class MailServerDown(OutboxBackend):
    def open(self):
        raise ConnectionRefusedError("mail server down")


class EveryRecipientRefused(OutboxBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({})


def test_a_mail_server_that_is_down_never_undoes_an_override(
    world, shielded_child, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    with (
        caplog.at_level(logging.WARNING, logger="notices.email"),
        django_capture_on_commit_callbacks(execute=True),  # the alert email goes out on commit
    ):
        shield_override(child=shielded_child, by=world.olivia, reason="emergency")
    assert Alert.objects.filter(child_id=shielded_child.pk).count() == 1
    assert "notification email not sent: alert" in caplog.text


def test_an_smtp_error_is_reported_as_not_sent(settings):
    settings.EMAIL_BACKEND = f"{__name__}.EveryRecipientRefused"
    assert not notify_by_email(subject="s", message="m", recipients=["a@example.org"], what="test")


def test_an_address_that_cannot_be_encoded_is_left_out_and_the_others_are_still_told(caplog):
    """Stored before the forms refused it (`ivy@` + a right-to-left override + the domain): the mail
    library fails to encode it, which was a 500 after the suspension or invitation had committed, and
    told nobody else on the list."""
    unencodable = "ivy@\u202eexample.org"
    with caplog.at_level(logging.WARNING, logger="notices.email"):
        sent = notify_by_email(
            subject="s", message="m", recipients=[unencodable, "lena@example.org"], what="alert"
        )
    assert sent
    assert mail.outbox[0].to == ["lena@example.org"]
    assert "1 recipient of a notification email left out (address cannot be sent to): alert" in caplog.text
    assert "ivy" not in caplog.text


def test_a_notification_whose_every_address_cannot_be_encoded_is_not_sent(caplog):
    assert not notify_by_email(subject="s", message="m", recipients=["ivy@\u202eexample.org"], what="test")
    assert mail.outbox == []
