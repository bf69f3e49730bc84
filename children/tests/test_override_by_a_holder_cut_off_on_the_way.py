"""Break-glass is judged on its holder as they are when the override is written, as every decider is.

Review, session 29. The override page judged Olivia once, at the start of the request; her account was
locked only at the end, for the misuse screening, which read whether she was suspended and nothing else.
Her organisation de-accredited between the page's check and the write, the shielded record was opened in
full all the same. Suspended in between, the override was audited and alerted though nothing was shown.
The override now locks her account first and judges the whole vetting there
(`accounts.services.actor_able_locked`): nothing is written, and the page says why and signs her out, as
any decision page does (`access.http.decider_ended_refused`).

PostgreSQL, real writers: the change commits in another session after the page's check.
"""

from typing import Any

from django.urls import reverse

import children.views
from accounts.services import account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from oversight.models import Alert, AlertKind
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from tests.personas import World
from tests.test_deciders_judged_with_their_organisation_races import _administrator, _directory_change

pytestmark = postgresql_race()

OVERRIDE = {"reason": "Child reported missing tonight", "understood": "on"}
CARER = "Grace Thornton"  # the persona carer (make_child), shown only by the override


def _nothing_opened(world: World, response: Any, said: str) -> None:
    page = response.content.decode()
    assert response.status_code == 403
    assert said in page
    assert "LS6 2QT" not in page and CARER not in page
    assert not AuditEvent.objects.filter(tag=AuditTag.ShieldOverridden).exists()
    assert not Alert.objects.filter(kind=AlertKind.SHIELD_OVERRIDE).exists()
    refusal = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.olivia).get()
    assert refusal.additional["action"] == "child:shield:override"


def test_an_override_whose_holders_organisation_was_de_accredited_on_the_way_opens_nothing(
    world, shielded_child, monkeypatch
):
    client = signed_in(world.olivia)
    police = world.olivia.organisation
    assert police is not None

    response, changed = paused_for(
        monkeypatch,
        children.views,
        "shield_override",
        before=True,
        read=lambda: client.post(reverse("children:override", args=[shielded_child.pk]), OVERRIDE),
        write=_directory_change(_administrator(world), police, accredited_on=None),
    )

    assert changed == ["accredited_on"]
    _nothing_opened(world, response, "Your organisation is not accredited to use ContactPoint.")
    refusal = AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor=world.olivia)
    assert refusal.additional["reason"] == "organisation_not_accredited"
    # Signed out: the next page asks her to sign in.
    assert client.get(reverse("children:search"))["Location"].startswith(reverse("accounts:login"))


def test_an_override_whose_holder_was_suspended_on_the_way_opens_and_alerts_nothing(
    world, shielded_child, monkeypatch
):
    client = signed_in(world.olivia)

    response, _ = paused_for(
        monkeypatch,
        children.views,
        "shield_override",
        before=True,
        read=lambda: client.post(reverse("children:override", args=[shielded_child.pk]), OVERRIDE),
        write=lambda: account_suspend(user=world.olivia, by=world.nadia, reason="Misuse under investigation"),
    )

    _nothing_opened(world, response, "Your account is suspended.")
