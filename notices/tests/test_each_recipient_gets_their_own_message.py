"""Each recipient of a notice gets a message of their own: nobody learns who else was told.

Review, session 29 (docs/DECISIONS.md section 19, "Left"). `notify_by_email` sent one message with every
recipient in its To header, so an alert or a brokering email showed each LA team member (or each
system administrator) the address of every other one told, and a mail server refusing one address
(a mailbox since removed) refused the message for all of them. Now each address is sent its own
message, over one connection: one refused address is logged (by count, never by address) and the
others are still told; a server that cannot be reached is tried once, not once per recipient.
"""

import logging
import smtplib
from collections.abc import Sequence

from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as OutboxBackend

from accounts.models import Role
from notices.email import notify_by_email
from oversight.alert_email import alert_email_send
from oversight.models import Alert, AlertKind
from tests.personas import make_user

TEAM = ["lena@example.org", "lorna@example.org", "luke@example.org"]
REFUSED = "lorna@example.org"  # a mailbox the server no longer has
THIS_MODULE = __name__


class RefusingOneMailbox(OutboxBackend):
    """The locmem outbox, but the server refuses `REFUSED` (as SMTP's RCPT TO does), and only that."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        for message in messages:
            if REFUSED in message.recipients():
                raise smtplib.SMTPRecipientsRefused({REFUSED: (550, b"5.1.1 mailbox unavailable")})
        return super().send_messages(messages)


class Unreachable(OutboxBackend):
    """A mail server that refuses the connection; counts how often it was tried."""

    tried = 0

    def open(self) -> bool:
        Unreachable.tried += 1
        raise ConnectionRefusedError("mail server down")

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        self.open()
        return 0


def test_each_recipient_is_sent_a_message_naming_them_alone():
    assert notify_by_email(subject="s", message="m", recipients=TEAM, what="alert 7")

    assert sorted(message.to for message in mail.outbox) == [[address] for address in TEAM]
    for message in mail.outbox:
        assert message.cc == [] and message.bcc == []
        headers = message.message().as_string()
        assert [address for address in TEAM if address in headers] == message.to


def test_an_address_given_twice_is_sent_one_message():
    assert notify_by_email(subject="s", message="m", recipients=[TEAM[0], TEAM[0]], what="alert 7")
    assert [message.to for message in mail.outbox] == [[TEAM[0]]]


def test_one_refused_address_is_logged_by_count_and_the_others_are_still_told(settings, caplog):
    settings.EMAIL_BACKEND = f"{THIS_MODULE}.RefusingOneMailbox"
    with caplog.at_level(logging.WARNING, logger="notices.email"):
        sent = notify_by_email(subject="s", message="m", recipients=TEAM, what="alert 7")

    assert not sent  # not every recipient was told
    assert sorted(message.to for message in mail.outbox) == [["lena@example.org"], ["luke@example.org"]]
    assert "notification email not sent to 1 of 3 recipients: alert 7" in caplog.text
    assert "lorna" not in caplog.text and "example.org" not in caplog.text


def test_an_unreachable_mail_server_is_tried_once_and_logged_once(settings, caplog):
    settings.EMAIL_BACKEND = f"{THIS_MODULE}.Unreachable"
    Unreachable.tried = 0
    with caplog.at_level(logging.WARNING, logger="notices.email"):
        sent = notify_by_email(subject="s", message="m", recipients=TEAM, what="alert 7")

    assert not sent
    assert Unreachable.tried == 1
    assert caplog.text.count("notification email not sent") == 1
    assert "notification email not sent: alert 7" in caplog.text
    assert "example.org" not in caplog.text


def test_an_alert_email_tells_each_team_member_without_naming_the_others(world):
    make_user("lorna", world.north, Role.LA_TEAM)
    alert = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.SHIELD_OVERRIDE, raised_by=world.olivia
    )

    alert_email_send(alert_id=alert.pk)

    told = sorted(message.to for message in mail.outbox)
    assert told == [["lena@example.org"], ["lorna@example.org"]]
    lenas = next(message for message in mail.outbox if message.to == ["lena@example.org"])
    assert "lorna" not in lenas.message().as_string()
