"""An override holder breaking a shield in one tab while raising a correction on the same record in another.

Review, session 29 (docs/DECISIONS.md section 19, "Left"). Every decider's writing transaction locks its
own account first (`accounts.services.actor_able_locked`, FOR NO KEY UPDATE), then the child's row: the
correction takes Olivia's account, then Jasmine's row. The override took Jasmine's row first and Olivia's
account only at the end, for the misuse screening (`oversight.misuse._screening_lock`, FOR UPDATE): each
request held what the other waited for, and PostgreSQL failed one of them (a server error). The override
now takes its actor's lock first, as every decider does, and judges the whole vetting there.

PostgreSQL, real writers: the two requests meet once each holds its first lock (or, once both take the
account first, the one that waits for it lets the other go on after a short wait).
"""

import contextlib
import threading
from typing import Any

from django.contrib.messages import get_messages
from django.urls import reverse

import children.override
import corrections.services
from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from corrections.models import Correction
from oversight.models import Alert, AlertKind
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in, state_purpose

pytestmark = postgresql_race()

OVERRIDE = {"reason": "Child reported missing tonight", "understood": "on"}
CORRECTION = {"value": "Jasmine-Rose", "reason": "Synthetic: the school register says so"}
CARER = "Grace Thornton"  # the persona carer (make_child), shown only by the override


def _each_holding_its_first_lock(monkeypatch: Any) -> None:
    """The override waits, once it holds the child's row (its reason is sealed next), for the correction
    to hold Olivia's account, and the other way round; a request that never gets there (it is waiting
    for the other's lock) lets the other go on after a short wait, as two tabs would by chance."""
    both = threading.Barrier(2)

    def met() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            both.wait(timeout=3)

    real_seal = children.override.note_seal

    def sealed_once_the_row_is_held(*args: Any, **kwargs: Any) -> Any:
        met()
        return real_seal(*args, **kwargs)

    real_actor_locked = corrections.services.actor_able_locked

    def actor_locked(actor: User, **kwargs: Any) -> None:
        real_actor_locked(actor, **kwargs)
        met()

    monkeypatch.setattr(children.override, "note_seal", sealed_once_the_row_is_held)
    monkeypatch.setattr(corrections.services, "actor_able_locked", actor_locked)


def test_an_override_and_the_holders_own_correction_on_the_record_at_once_are_both_made(
    world, shielded_child, monkeypatch
):
    breaking, correcting = signed_in(world.olivia), signed_in(world.olivia)
    state_purpose(correcting, shielded_child)
    _each_holding_its_first_lock(monkeypatch)
    override_url = reverse("children:override", args=[shielded_child.pk])
    correction_url = reverse("corrections:propose", args=[shielded_child.pk, "given_names"])

    def work(index: int) -> Any:
        if index == 0:
            return breaking.post(override_url, OVERRIDE)
        return correcting.post(correction_url, CORRECTION)

    opened, corrected = run_together(2, work)

    page = opened.content.decode()
    assert opened.status_code == 200
    assert "LS6 2QT" in page and CARER in page
    assert corrected.status_code == 302 and corrected["Location"] == reverse("corrections:mine")
    said = [str(message) for message in get_messages(corrected.wsgi_request)]
    assert said == ["Your correction has been sent to the local authority ContactPoint team"]
    assert AuditEvent.objects.filter(tag=AuditTag.ShieldOverridden, actor=world.olivia).count() == 1
    assert Alert.objects.filter(kind=AlertKind.SHIELD_OVERRIDE, child_id=shielded_child.pk).count() == 1
    assert Correction.objects.filter(child_id=shielded_child.pk, raised_by=world.olivia).count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.CorrectionRaised, actor=world.olivia).count() == 1
