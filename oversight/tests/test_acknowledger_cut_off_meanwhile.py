"""An alert is acknowledged only by someone who may still acknowledge it when the acknowledgement is written.

The page asked the policy (`AlertAcknowledge` for this alert) at the start of the request, and
`alert_acknowledge` then locked only the alert: an LA team member suspended by the system administrator,
whose organisation was de-accredited or closed, whose background check lapsed, or whose account moved to
another LA's organisation a moment after that check still cleared the alert, and the log credited someone
the policy refuses with it. An acknowledgement is the control on a misuse alert (a suspended colleague
could clear the alerts about a practitioner they work with). Now the service judges the acknowledger again
under their account's lock with their organisation held (`accounts.services.actor_able_locked`, as every
other decider is) and asks the page's policy question again on the alert and the account as stored:
nothing written, the audited refusal saying why.
"""

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

import oversight.views
from accounts.models import Organisation, User
from accounts.services import ActorCannotAct
from audit.models import AuditEvent
from audit.tags import AuditTag
from oversight.models import Alert, AlertKind
from oversight.services import alert_acknowledge
from tests.journeys import signed_in
from tests.personas import World
from tests.test_deciders_judged_with_their_organisation import CUT_OFF, TOLD, _cut_off


def _alert_about_alice(world: World) -> Alert:
    return Alert.objects.create(
        local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice
    )


def _suspended(world: World, person: User) -> None:
    User.objects.filter(pk=person.pk).update(suspended_at=timezone.now())


def _moved_to_south(world: World, person: User) -> None:
    User.objects.filter(pk=person.pk).update(organisation=world.south)


def _unacknowledged(alert: Alert) -> bool:
    stored = Alert.objects.get(pk=alert.pk)
    acknowledged = AuditEvent.objects.filter(tag=AuditTag.AlertAcknowledged).exists()
    return stored.acknowledged_at is None and stored.acknowledged_by_id is None and not acknowledged


@pytest.mark.parametrize("how", [*CUT_OFF, "suspended"])
def test_an_acknowledger_cut_off_since_their_page_checked_them_acknowledges_nothing(world, how):
    alert = _alert_about_alice(world)
    as_read = User.objects.select_related("organisation").get(pk=world.lena.pk)  # the page's copy
    if how == "suspended":
        _suspended(world, world.lena)
    else:
        _cut_off(world, world.lena, how)

    with pytest.raises(ActorCannotAct):
        alert_acknowledge(alert=alert, by=as_read)

    assert _unacknowledged(alert)


@pytest.mark.parametrize("how", CUT_OFF)
def test_the_page_of_an_acknowledger_cut_off_on_the_way_says_why_and_acknowledges_nothing(
    world, monkeypatch, how
):
    alert = _alert_about_alice(world)
    real = oversight.views.alert_acknowledge

    def cut_off_first(*args: Any, **kwargs: Any) -> Any:
        _cut_off(world, world.lena, how)
        return real(*args, **kwargs)

    monkeypatch.setattr(oversight.views, "alert_acknowledge", cut_off_first)
    client = signed_in(world.lena)
    response = client.post(reverse("oversight:alert_acknowledge", args=[alert.pk]))

    reason, told = TOLD[how]
    assert response.status_code == 403
    page = response.content.decode()
    assert "You cannot do this" in page and told in page
    assert _unacknowledged(alert)
    refused = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.lena).last()
    assert refused is not None and refused.additional["reason"] == reason
    assert client.get(reverse("oversight:alerts")).status_code == 302  # signed out


@pytest.mark.parametrize("how", ["account moved", "organisation put in another LA"])
def test_an_acknowledger_moved_to_another_la_on_the_way_acknowledges_nothing(world, monkeypatch, how):
    """Lena's page passed her as North's team; before the acknowledgement was written her account moved to
    South (or the administrator put her team organisation in South): North's alert is no longer hers."""
    team_organisation = Organisation.objects.create(
        kind="social_care",
        name="Northborough Children's Services",
        code="SC-NB",
        local_authority=world.north,
        accredited_on=world.north.accredited_on,
    )
    User.objects.filter(pk=world.lena.pk).update(organisation=team_organisation)
    alert = _alert_about_alice(world)
    real = oversight.views.alert_acknowledge

    def moved_first(*args: Any, **kwargs: Any) -> Any:
        if how == "account moved":
            _moved_to_south(world, world.lena)
        else:
            Organisation.objects.filter(pk=team_organisation.pk).update(local_authority=world.south)
        return real(*args, **kwargs)

    monkeypatch.setattr(oversight.views, "alert_acknowledge", moved_first)
    response = signed_in(world.lena).post(reverse("oversight:alert_acknowledge", args=[alert.pk]))

    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()
    assert _unacknowledged(alert)
    refused = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.lena).last()
    assert refused is not None and refused.additional["reason"] == "other_la"


def test_an_acknowledger_still_able_acknowledges_as_before(world):
    alert = _alert_about_alice(world)
    response = signed_in(world.lena).post(
        reverse("oversight:alert_acknowledge", args=[alert.pk]), follow=True
    )
    assert "Alert acknowledged" in response.content.decode()
    stored = Alert.objects.get(pk=alert.pk)
    assert stored.acknowledged_by_id == world.lena.pk
    assert AuditEvent.objects.filter(tag=AuditTag.AlertAcknowledged, actor=world.lena).count() == 1
