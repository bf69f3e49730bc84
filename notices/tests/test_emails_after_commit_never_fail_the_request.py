"""An email sent once an action has committed never turns that action into an error.

The emails go out from `transaction.on_commit` callbacks, which also read the database (who may see an
alert, the LA team to tell). Registered plainly, a database error in one (the connection lost just after
the commit) escaped from the commit: a server error on a page whose action had been done and audited
(the person may do it again), and every callback registered after it (other emails) was skipped. Now a
failing callback is logged with what was being sent and the error's kind, never its message (which may
quote values), and the others still run.
"""

import logging

from django.db import DatabaseError, transaction

import accounts.services
import oversight.alert_email
from accounts.models import User
from accounts.services import account_suspend
from children.override import shield_override
from notices.email import notify_after_commit
from oversight.models import Alert

QUOTED = "Jasmine Okafor"  # what a database error's message might quote: never logged


def _failing(*args, **kwargs):
    raise DatabaseError(f"connection lost while reading {QUOTED}")


def test_a_failing_callback_is_logged_by_what_and_kind_and_the_next_still_runs(
    db, caplog, django_capture_on_commit_callbacks
):
    ran = []
    with (
        caplog.at_level(logging.ERROR, logger="notices.email"),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        notify_after_commit(_failing, what="alert 7")
        notify_after_commit(lambda: ran.append("second"), what="alert 8")
    assert ran == ["second"]
    assert "notification not sent after the commit (DatabaseError): alert 7" in caplog.text
    assert QUOTED not in caplog.text


def test_a_break_glass_alert_whose_email_fails_leaves_the_override_done(
    world, shielded_child, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(oversight.alert_email, "alert_email_send", _failing)
    with (
        caplog.at_level(logging.ERROR, logger="notices.email"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        shield_override(child=shielded_child, by=world.olivia, reason="emergency")
    (alert,) = Alert.objects.filter(child_id=shielded_child.pk)
    assert f"(DatabaseError): alert {alert.pk}" in caplog.text
    assert QUOTED not in caplog.text


def test_a_suspension_whose_email_fails_leaves_the_account_suspended(
    world, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(accounts.services, "notify_by_email", _failing)
    with (
        caplog.at_level(logging.ERROR, logger="notices.email"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert account_suspend(user=world.alice, by=world.lena, reason="Synthetic reason")
    assert User.objects.get(pk=world.alice.pk).suspended_at is not None
    assert f"(DatabaseError): suspension of user {world.alice.pk}" in caplog.text
    assert QUOTED not in caplog.text
