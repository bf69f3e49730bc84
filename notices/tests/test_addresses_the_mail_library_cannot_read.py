"""An address the mail library cannot read is left out; it never raises out of a notice.

`_addressable` asked `sanitize_address` alone, and only caught its ValueError. That parser fails other
ways on malformed input (`<>` a TypeError, a lone `"` an IndexError), and some addresses it accepts are
refused only when the message's To header is built from the whole list (`=\u00e9` a ValueError, a line
break inside a comment a BadHeaderError), which `notify_by_email` did not catch either. Such an address,
stored before the forms refused it (as the right-to-left one of `test_email.py`), made the notice raise
after its action had committed: a suspension's page or a search page (the alert email runs in its
commit hook) answered with a server error, and nobody else on the list was told.
"""

import logging

import pytest
from django.core import mail

from accounts.services import account_suspend
from notices.email import notify_by_email

UNREADABLE = ["<>", '"', "=\u00e9", "\u00e4(\n[", "-\r@[\n\\\n,"]


@pytest.mark.parametrize("address", UNREADABLE)
def test_an_address_the_mail_library_cannot_read_is_left_out_and_the_others_are_told(address, caplog):
    with caplog.at_level(logging.WARNING, logger="notices.email"):
        sent = notify_by_email(
            subject="s", message="m", recipients=[address, "lena@example.org"], what="alert 7"
        )
    assert sent
    assert [message.to for message in mail.outbox] == [["lena@example.org"]]
    assert "1 recipient of a notification email left out (address cannot be sent to): alert 7" in caplog.text


@pytest.mark.parametrize("address", UNREADABLE)
def test_a_notice_whose_only_address_cannot_be_read_is_not_sent_and_raises_nothing(address):
    assert not notify_by_email(subject="s", message="m", recipients=[address], what="test")
    assert mail.outbox == []


def test_a_suspension_whose_managers_stored_address_cannot_be_read_stands_without_an_error(
    world, django_capture_on_commit_callbacks
):
    world.alice.manager_email = '"'  # stored before any form checked it
    world.alice.save(update_fields=["manager_email"])
    with django_capture_on_commit_callbacks(execute=True):
        assert account_suspend(user=world.alice, by=world.lena, reason="left the service")
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is not None
    assert mail.outbox == []
