"""Recording an involvement while the LA team shields the record: two real requests at once (PostgreSQL).

The page checks the policy when the request arrives; the shield may commit before the involvement is
written. Exactly one order may win: the involvement recorded first (the shield then waits for it), or the
shield first and the involvement refused. Never an involvement written after the shield by someone the
shield now refuses.
"""

import threading

import pytest
from django.urls import reverse

import children.views
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Involvement
from lifecycle.shielding import shield_set
from tests.concurrency import postgresql_race, run_together
from tests.journeys import INVOLVEMENT_FORM, signed_in, state_purpose
from tests.personas import make_child

pytestmark = postgresql_race()


@pytest.mark.parametrize("attempt", range(5))
def test_an_involvement_racing_the_shield_is_recorded_before_it_or_refused(world, monkeypatch, attempt):
    child = make_child(world)
    client = signed_in(world.alice)
    state_purpose(client, child)
    # Both past their own checks before either writes: the page has checked the policy, the team has
    # confirmed the shield.
    barrier = threading.Barrier(2)
    record = children.views.involvement_record

    def met_then_recorded(*args, **kwargs):
        barrier.wait(timeout=10)
        return record(*args, **kwargs)

    monkeypatch.setattr(children.views, "involvement_record", met_then_recorded)

    def work(index: int) -> object:
        if index == 0:
            return client.post(reverse("children:involvement_new", args=[child.pk]), INVOLVEMENT_FORM)
        barrier.wait(timeout=10)
        return shield_set(child=child, by=world.lena, shielded=True, reason="Risk of harm")

    page, shielded = run_together(2, work)

    assert shielded is True
    shield = AuditEvent.objects.get(tag=AuditTag.ShieldApplied, child_id=child.pk)
    recorded = AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded, child_id=child.pk).first()
    if Involvement.objects.filter(child=child).exists():
        assert page.status_code == 302
        assert recorded is not None and recorded.pk < shield.pk, "recorded after the shield"
    else:
        assert page.status_code == 403 and recorded is None
        assert AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor=world.alice).additional["reason"] == (
            "shielded"
        )
