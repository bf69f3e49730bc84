"""Reinstating and closing from a page read before a colleague acted: never a fresh action on a stale page.

The reinstate button carries which suspension the page showed (`accounts.services.suspension_version`);
a reinstatement of an account no longer suspended, or a closing of one already closed, changes nothing,
is not audited again, and says so in an Important banner.
"""

import re

from django.urls import reverse

from accounts.models import Role, User
from accounts.services import account_reinstate, account_suspend, suspension_reason_text
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.personas import make_user


def _reinstate_button(page: str) -> dict[str, str]:
    """What the page's "Reinstate account" form sends: the suspension it showed."""
    found = re.search(r'name="suspension" value="(\d+)"', page)
    assert found, "the reinstate form carries no suspension"
    return {"suspension": found.group(1)}


def test_a_reinstatement_from_a_stale_page_never_lifts_a_newer_automatic_suspension(world):
    """Monday: Lena opens Alice's page (suspended by the team, reason "typo search, checked").
    Her colleague Lucy reinstates Alice. Alice then bulk-browses and ContactPoint suspends her itself.
    Lena, still on Monday's page, presses "Reinstate account": the misuse suspension must stand, and
    she is told it is a new one."""
    lucy = make_user("lucy", world.north, Role.LA_TEAM)
    account_suspend(user=world.alice, by=world.lena, reason="Typo search, checked with her manager")
    lena = signed_in(world.lena)
    page = lena.get(reverse("team:user", args=[world.alice.pk])).content.decode()
    assert "Reinstate account" in page
    mondays_button = _reinstate_button(page)

    account_reinstate(user=User.objects.get(pk=world.alice.pk), by=lucy)
    assert account_suspend(user=User.objects.get(pk=world.alice.pk), by=None, reason="searches_per_hour")

    response = lena.post(reverse("team:reinstate", args=[world.alice.pk]), mondays_button, follow=True)
    alice = User.objects.get(pk=world.alice.pk)
    reinstated = AuditEvent.objects.filter(tag=AuditTag.AccountReinstated).count()
    assert alice.suspended_at is not None, (
        f"the automatic misuse suspension was lifted from a page read before it "
        f"(reason now {suspension_reason_text(alice)!r}; {reinstated} account:reinstated events)"
    )
    assert suspension_reason_text(alice) == "searches_per_hour"
    assert reinstated == 1  # Lucy's only
    shown = response.content.decode()
    assert "Important" in shown and "suspended again since you opened its page" in shown
    assert "Suspended: searches_per_hour" in shown

    current = lena.post(reverse("team:reinstate", args=[world.alice.pk]), _reinstate_button(shown))
    assert current.status_code == 302
    assert User.objects.get(pk=world.alice.pk).suspended_at is None  # once read, it can be lifted


def test_reinstating_an_account_that_is_not_suspended_changes_nothing_and_is_not_audited_as_a_reinstatement(
    world,
):
    """Two team members press "Reinstate" on the same page: one reinstatement, and the second is told."""
    lucy = make_user("lucy", world.north, Role.LA_TEAM)
    account_suspend(user=world.alice, by=world.lena, reason="Checking a search")
    lena, lucy_client = signed_in(world.lena), signed_in(lucy)
    lenas_button = _reinstate_button(lena.get(reverse("team:user", args=[world.alice.pk])).content.decode())
    lucys_button = _reinstate_button(
        lucy_client.get(reverse("team:user", args=[world.alice.pk])).content.decode()
    )
    lucy_client.post(reverse("team:reinstate", args=[world.alice.pk]), lucys_button)
    response = lena.post(reverse("team:reinstate", args=[world.alice.pk]), lenas_button, follow=True)
    events = AuditEvent.objects.filter(tag=AuditTag.AccountReinstated)
    assert [e.actor_id for e in events] == [lucy.pk], (
        f"{events.count()} account:reinstated events for one suspension, by {[e.actor_id for e in events]}"
    )
    shown = response.content.decode()
    assert "Important" in shown and "This account is not suspended" in shown
    assert "Account reinstated" not in shown


def test_closing_an_account_already_closed_changes_nothing_and_is_not_audited_again(world):
    """Two team members on the same confirmation page both press "Yes, close this account"."""
    lucy = make_user("lucy", world.north, Role.LA_TEAM)
    lena, lucy_client = signed_in(world.lena), signed_in(lucy)
    for client in (lena, lucy_client):
        page = client.get(reverse("team:user", args=[world.alice.pk]) + "?confirm=close")
        assert "Yes, close this account" in page.content.decode()
    lucy_client.post(reverse("team:close", args=[world.alice.pk]), {"confirmed": "yes"})
    response = lena.post(reverse("team:close", args=[world.alice.pk]), {"confirmed": "yes"}, follow=True)
    events = AuditEvent.objects.filter(tag=AuditTag.AccountClosed)
    assert [e.actor_id for e in events] == [lucy.pk], (
        f"{events.count()} account:closed events for one closure, by {[e.actor_id for e in events]}"
    )
    shown = response.content.decode()
    assert "Important" in shown and "This account had already been closed" in shown
