"""An account moved to another LA after the LA team's page checked it is not changed by the old LA's team.

The account pages asked the policy (`AccountManage`: the account is the team's own LA's) at the start of
the request, and the services re-read only whether the account was closed or suspended under its lock:
Alice, moved to a South organisation (or her organisation put in South by the administrator) a moment
after Lena's page passed her, was still suspended, closed, reinstated, had her security codes reset or her
home postcode recorded by North's team. Now the service asks the page's policy question again on both
accounts as stored, their organisations held (`team.account_pages.still_theirs`): refused in words, audited,
nothing written.

The race on two PostgreSQL sessions (the move waits for a change in flight) is in
`tests/test_deciders_judged_with_their_organisation_races.py`.
"""

from typing import Any

import pytest
from django.urls import reverse

import team.account_pages
import team.views
from accounts.home_postcode import home_postcode_token
from accounts.models import Organisation, Role, SealedTOTPDevice, User
from accounts.services import account_suspend, suspension_version
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in, totp_device
from tests.personas import World, make_user

# (module and service the page calls, URL name, what the page posts)
CHANGES: dict[str, tuple[object, str, str, dict[str, str]]] = {
    "suspend": (team.account_pages, "account_suspend", "team:suspend", {"reason": "Synthetic reason"}),
    "reinstate": (team.account_pages, "account_reinstate", "team:reinstate", {}),
    "close": (team.account_pages, "account_close", "team:close", {"confirmed": "yes"}),
    "reset the security codes": (team.views, "mfa_reset", "team:reset_mfa", {"confirmed": "yes"}),
    "record a home postcode": (
        team.account_pages,
        "home_postcode_record",
        "team:home_postcode",
        {"postcode": "LS1 4AB"},
    ),
    "remove the home postcode": (
        team.account_pages,
        "home_postcode_record",
        "team:home_postcode",
        {"remove": "yes"},
    ),
}


def _moved(world: World, how: str) -> None:
    """Alice leaves North: her account moved to a South organisation, or her organisation put in South."""
    if how == "account moved":
        User.objects.filter(pk=world.alice.pk).update(organisation=world.south_gp)
    else:
        Organisation.objects.filter(pk=world.north_social_care.pk).update(local_authority=world.south)


def _account(user: User) -> tuple[Any, ...]:
    stored = User.objects.get(pk=user.pk)
    return (
        stored.is_active,
        stored.suspended_at,
        stored.home_postcode_token,
        stored.password,
        SealedTOTPDevice.objects.filter(user=stored).count(),
    )


@pytest.mark.parametrize("how", ["account moved", "organisation moved"])
@pytest.mark.parametrize("change", CHANGES)
def test_the_old_las_team_changes_nothing_and_is_told_why(world, monkeypatch, change, how):
    module, service, url_name, data = CHANGES[change]
    admin = make_user("ada", world.north, Role.SYSTEM_ADMIN)
    totp_device(world.alice)
    if change == "reinstate":
        account_suspend(user=world.alice, by=admin, reason="Synthetic reason")
        data = {"suspension": suspension_version(User.objects.get(pk=world.alice.pk))}
    real = getattr(module, service)

    def moved_first(*args: Any, **kwargs: Any) -> Any:
        _moved(world, how)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, service, moved_first)
    before = _account(world.alice)
    client = signed_in(world.lena)
    mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    response = client.post(reverse(url_name, args=[world.alice.pk]), data)

    assert response.status_code == 403, response.status_code
    assert "This belongs to another local authority." in response.content.decode()
    assert _account(world.alice) == before
    audited = list(AuditEvent.objects.filter(pk__gt=mark).values_list("tag", "actor_id"))
    assert audited == [(AuditTag.AccessDenied, world.lena.pk)]
    refusal = AuditEvent.objects.get(pk__gt=mark)
    assert refusal.additional["reason"] == "other_la"
    assert client.get(reverse("team:users")).status_code == 200  # still signed in: she did nothing wrong


@pytest.mark.parametrize("change", CHANGES)
def test_an_account_still_in_the_teams_la_is_changed_as_before(world, change):
    """A move within North (to another of its organisations) leaves the account the team's."""
    _, _, url_name, data = CHANGES[change]
    admin = make_user("ada", world.north, Role.SYSTEM_ADMIN)
    totp_device(world.alice)
    if change == "reinstate":
        account_suspend(user=world.alice, by=admin, reason="Synthetic reason")
        data = {"suspension": suspension_version(User.objects.get(pk=world.alice.pk))}
    if change == "remove the home postcode":
        User.objects.filter(pk=world.alice.pk).update(home_postcode_token=home_postcode_token("LS1 4AB"))
    User.objects.filter(pk=world.alice.pk).update(organisation=world.north_school)
    before = _account(world.alice)
    client = signed_in(world.lena)

    response = client.post(reverse(url_name, args=[world.alice.pk]), data)

    assert response.status_code == 302, response.status_code
    assert _account(world.alice) != before
