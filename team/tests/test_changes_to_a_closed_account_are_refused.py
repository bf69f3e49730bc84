"""A closed account is closed for good: no change from a page read before it was closed.

The account page hides its buttons once the account is closed, but a page opened before a colleague
closed it still sends them. Before, the suspension went through (audited `account:suspended`, the line
manager emailed that the account "has been suspended", "Account suspended" on the page), as did a
second-factor reset, a home postcode and a reinstatement of a closed account suspended before. Now
each changes nothing, writes no event, sends no email and says the account is closed.
"""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.services import account_close, account_suspend, suspension_version
from administration.tests.support import administrator
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.personas import make_user

CLOSED_SAYS = "This account is closed: nothing was changed"
CHANGE_TAGS = [
    AuditTag.AccountSuspended,
    AuditTag.AccountReinstated,
    AuditTag.MfaReset,
    AuditTag.HomePostcodeRecorded,
    AuditTag.HomePostcodeRemoved,
]


def _changes(prefix: str) -> dict[str, tuple[str, dict[str, str]]]:
    return {
        "suspend": (f"{prefix}suspend", {"reason": "Checking a search"}),
        "record a home postcode": (f"{prefix}home_postcode", {"postcode": "LS1 4AB"}),
        "remove the home postcode": (f"{prefix}home_postcode", {"remove": "yes"}),
    }


TEAM = {**_changes("team:"), "reset the security codes": ("team:reset_mfa", {"confirmed": "yes"})}
NATIONAL = {
    "suspend": ("administration:account_suspend", {"reason": "Checking a search"}),
    "record a home postcode": ("administration:account_home_postcode", {"postcode": "LS1 4AB"}),
    "remove the home postcode": ("administration:account_home_postcode", {"remove": "yes"}),
}


def _refused_and_nothing_changed(response, subject: User) -> None:
    assert response.status_code == 200
    page = response.content.decode()
    subject.refresh_from_db()
    events = list(AuditEvent.objects.filter(tag__in=CHANGE_TAGS).values_list("tag", flat=True))
    assert events == [], f"a closed account was changed and audited: {events}"
    assert mail.outbox == [], f"emails sent: {[m.subject for m in mail.outbox]}"
    assert CLOSED_SAYS in page and "Important" in page
    for done in (
        "Account suspended",
        "Home postcode recorded.",
        "Home postcode removed.",
        "Security codes and password reset",
    ):
        assert done not in page


@pytest.mark.parametrize("change", sorted(TEAM))
def test_the_la_team_cannot_change_an_account_a_colleague_closed_since_the_page_was_read(world, change):
    lucy = make_user("lucy", world.north, "la_team")
    lena = signed_in(world.lena)
    assert "Suspend account" in lena.get(reverse("team:user", args=[world.alice.pk])).content.decode()
    account_close(user=User.objects.get(pk=world.alice.pk), by=lucy)
    url_name, data = TEAM[change]
    response = lena.post(reverse(url_name, args=[world.alice.pk]), data, follow=True)
    alice = User.objects.get(pk=world.alice.pk)
    _refused_and_nothing_changed(response, alice)
    assert (alice.suspended_at, alice.home_postcode_token) == (None, "")


@pytest.mark.parametrize("change", sorted(NATIONAL))
def test_the_administrator_cannot_change_a_national_account_closed_since_the_page_was_read(world, change):
    simon, sally = administrator(world, "simon"), administrator(world, "sally")
    client = signed_in(simon)
    client.get(reverse("administration:account", args=[world.lena.pk]))
    account_close(user=User.objects.get(pk=world.lena.pk), by=sally)
    url_name, data = NATIONAL[change]
    response = client.post(reverse(url_name, args=[world.lena.pk]), data, follow=True)
    lena = User.objects.get(pk=world.lena.pk)
    _refused_and_nothing_changed(response, lena)
    assert lena.suspended_at is None


def test_a_closed_account_suspended_before_it_was_closed_is_not_reinstated(world):
    """Suspended, then closed by a colleague: the stale page's "Reinstate account" must not say it was."""
    lucy = make_user("lucy", world.north, "la_team")
    account_suspend(user=world.alice, by=lucy, reason="Checking a search")
    mail.outbox.clear()
    lena = signed_in(world.lena)
    button = {"suspension": suspension_version(User.objects.get(pk=world.alice.pk))}
    account_close(user=User.objects.get(pk=world.alice.pk), by=lucy)
    response = lena.post(reverse("team:reinstate", args=[world.alice.pk]), button, follow=True)
    alice = User.objects.get(pk=world.alice.pk)
    assert alice.suspended_at is not None
    assert not AuditEvent.objects.filter(tag=AuditTag.AccountReinstated).exists()
    page = response.content.decode()
    assert CLOSED_SAYS in page and "Account reinstated" not in page
