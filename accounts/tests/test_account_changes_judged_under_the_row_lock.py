"""Account changes judge both accounts as locked, not as the request read them.

Session 24 refused changes to an account closed before the page's request read it, and a suspension
racing a close. A reinstatement, a second-factor reset or a home postcode racing a close still went
through (audited as done to a closed account); and two administrators closing (or suspending) each
other at the same moment both succeeded, each acting with an authority the other had just ended.
Each service now locks the account changed and the account acting (in id order, so two such changes
never deadlock) and changes nothing if the account is closed, or the actor closed or suspended.
"""

import pytest

from accounts.models import Role, User
from accounts.services import (
    ActorCannotAct,
    MfaReset,
    Reinstatement,
    account_close,
    account_reinstate,
    account_suspend,
    home_postcode_record,
    mfa_reset,
)
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.personas import make_user


def _closed_behind(user: User, by: User) -> User:
    """The caller's copy read open; the close commits before the change locks the row."""
    as_read = User.objects.get(pk=user.pk)
    account_close(user=User.objects.get(pk=user.pk), by=by)
    return as_read


def test_a_reinstatement_of_an_account_closed_since_it_was_read_changes_nothing(world):
    account_suspend(user=world.alice, by=world.lena, reason="Synthetic reason")
    as_read = _closed_behind(world.alice, world.lena)
    assert account_reinstate(user=as_read, by=world.lena) is Reinstatement.ACCOUNT_CLOSED
    assert User.objects.get(pk=world.alice.pk).suspended_at is not None
    assert not AuditEvent.objects.filter(tag=AuditTag.AccountReinstated).exists()


def test_a_second_factor_reset_of_an_account_closed_since_it_was_read_changes_nothing(world):
    as_read = _closed_behind(world.alice, world.lena)
    assert mfa_reset(user=as_read, by=world.lena) is MfaReset.ACCOUNT_CLOSED
    assert not AuditEvent.objects.filter(tag=AuditTag.MfaReset).exists()


def test_a_home_postcode_for_an_account_closed_since_it_was_read_is_not_recorded(world):
    as_read = _closed_behind(world.alice, world.lena)
    assert home_postcode_record(user=as_read, by=world.lena, postcode="LS1 4AB") is False
    stored = User.objects.get(pk=world.alice.pk)
    assert stored.home_postcode_token == ""
    assert stored.home_postcode_recorded_on is None
    assert not AuditEvent.objects.filter(tag=AuditTag.HomePostcodeRecorded).exists()


@pytest.mark.parametrize("how", ["closed", "suspended"])
@pytest.mark.parametrize(
    "change",
    ["suspend", "reinstate", "close", "reset", "home postcode"],
)
def test_an_actor_closed_or_suspended_since_their_request_read_them_changes_nothing(world, how, change):
    """The actor's request passed the policy; then a colleague closed or suspended them."""
    admin = make_user("ada", world.north, Role.SYSTEM_ADMIN)
    other = make_user("otto", world.north, Role.SYSTEM_ADMIN)
    if change == "reinstate":
        account_suspend(user=world.alice, by=other, reason="Synthetic reason")
    as_read = User.objects.get(pk=admin.pk)
    if how == "closed":
        account_close(user=User.objects.get(pk=admin.pk), by=other)
    else:
        account_suspend(user=User.objects.get(pk=admin.pk), by=other, reason="Synthetic reason")
    before = AuditEvent.objects.count()
    calls = {
        "suspend": lambda: account_suspend(user=world.alice, by=as_read, reason="Synthetic reason"),
        "reinstate": lambda: account_reinstate(user=world.alice, by=as_read),
        "close": lambda: account_close(user=world.alice, by=as_read),
        "reset": lambda: mfa_reset(user=world.alice, by=as_read),
        "home postcode": lambda: home_postcode_record(user=world.alice, by=as_read, postcode="LS1 4AB"),
    }
    with pytest.raises(ActorCannotAct):
        calls[change]()
    assert AuditEvent.objects.count() == before
    stored = User.objects.get(pk=world.alice.pk)
    assert stored.is_active
    assert (stored.suspended_at is not None) is (change == "reinstate")
    assert stored.home_postcode_token == ""


PAGE_CHANGES = {
    "suspend": ("team.account_pages", "account_suspend", "team:suspend", {"reason": "Synthetic"}),
    "reinstate": ("team.account_pages", "account_reinstate", "team:reinstate", {}),
    "record a home postcode": (
        "team.account_pages",
        "home_postcode_record",
        "team:home_postcode",
        {"postcode": "LS1 4AB"},
    ),
    "remove the home postcode": (
        "team.account_pages",
        "home_postcode_record",
        "team:home_postcode",
        {"remove": "yes"},
    ),
    "close": ("team.account_pages", "account_close", "team:close", {"confirmed": "yes"}),
    "reset the security codes": ("team.views", "mfa_reset", "team:reset_mfa", {"confirmed": "yes"}),
}


@pytest.mark.parametrize("change", PAGE_CHANGES)
def test_the_page_tells_an_actor_suspended_on_the_way_that_they_are_suspended(world, monkeypatch, change):
    """Lena's request passed the policy; a system administrator suspended her before her change locked
    the rows: she gets the audited refusal page and is signed out, and Alice's account is unchanged."""
    import importlib

    from django.urls import reverse

    from tests.journeys import signed_in

    module_name, service, url_name, data = PAGE_CHANGES[change]
    module = importlib.import_module(module_name)
    admin = make_user("ada", world.north, Role.SYSTEM_ADMIN)
    if change == "reinstate":
        account_suspend(user=world.alice, by=admin, reason="Synthetic reason")
    real = getattr(module, service)

    def suspended_first(**kwargs):
        account_suspend(user=User.objects.get(pk=world.lena.pk), by=admin, reason="Synthetic reason")
        return real(**kwargs)

    monkeypatch.setattr(module, service, suspended_first)
    before = User.objects.get(pk=world.alice.pk)
    client = signed_in(world.lena)
    response = client.post(reverse(url_name, args=[world.alice.pk]), data)
    assert response.status_code == 403
    assert "Your account is suspended." in response.content.decode()
    after = User.objects.get(pk=world.alice.pk)
    assert (after.is_active, after.suspended_at, after.home_postcode_token) == (
        before.is_active,
        before.suspended_at,
        before.home_postcode_token,
    )
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.lena).exists()
    assert client.get(reverse("team:users")).status_code == 302  # signed out
