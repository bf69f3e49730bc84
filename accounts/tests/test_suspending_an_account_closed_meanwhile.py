"""A suspension sent as a colleague closes the account suspends nothing and tells nobody.

The account pages refuse a change to an account closed before the request read it; one closed between
that read and the suspension's row lock was still suspended, audited and its manager emailed that it
"has been suspended". The suspension now judges the account as locked.
"""

from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.services import account_close, account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in


def test_an_account_closed_after_it_was_read_is_not_suspended(world, django_capture_on_commit_callbacks):
    world.alice.manager_email = "manager@example.org"
    world.alice.save(update_fields=["manager_email"])
    as_read = User.objects.get(pk=world.alice.pk)  # the suspending request's copy: still open
    account_close(user=world.alice, by=world.lena)
    with django_capture_on_commit_callbacks(execute=True):
        assert account_suspend(user=as_read, by=world.lena, reason="Synthetic reason") is False
    assert User.objects.get(pk=world.alice.pk).suspended_at is None
    assert not AuditEvent.objects.filter(tag=AuditTag.AccountSuspended).exists()
    assert mail.outbox == []


def test_the_page_says_the_account_is_closed_when_the_close_came_first(world, monkeypatch):
    """The page's own read saw it open; the close landed before the suspension locked the row."""
    from team import account_pages

    real = account_pages.account_suspend

    def closed_first(**kwargs):
        account_close(user=User.objects.get(pk=kwargs["user"].pk), by=world.lena)
        return real(**kwargs)

    monkeypatch.setattr(account_pages, "account_suspend", closed_first)
    client = signed_in(world.lena)
    response = client.post(
        reverse("team:suspend", args=[world.alice.pk]), {"reason": "Synthetic"}, follow=True
    )
    page = response.content.decode()
    assert "This account is closed: nothing was changed" in page
    assert "already been suspended" not in page
