"""The manager's suspension email goes out once the suspension is stored, never from inside it.

An automatic suspension is made inside the practitioner's own request (the misuse screening, holding
the person's row lock and the audit writer's mark): the email was sent there, so a request failing later
had already told the manager of a suspension that was rolled back, and a slow mail server held the locks.
"""

import pytest
from django.core import mail
from django.db import transaction

from accounts.services import account_suspend


class _Later(Exception):
    """Something failing after the suspension, in the same request."""


@pytest.fixture
def world(world):
    world.alice.manager_email = "manager@example.org"
    world.alice.save(update_fields=["manager_email"])
    return world


def test_a_suspension_rolled_back_with_its_request_is_never_emailed(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(_Later), transaction.atomic():
        assert account_suspend(user=world.alice, by=None, reason="Automatic: synthetic rule")
        raise _Later
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None
    assert mail.outbox == []


def test_a_stored_suspension_is_emailed_to_the_manager_once_it_commits(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as pending:
        account_suspend(user=world.alice, by=world.lena, reason="Synthetic reason")
        assert mail.outbox == []  # not while the suspension's transaction is open
    for callback in pending:
        callback()
    (message,) = mail.outbox
    assert message.to == [world.alice.manager_email]
    assert "has been suspended by the LA team" in message.body and "Synthetic" not in message.body
