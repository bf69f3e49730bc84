"""The inbox asks the owner of an involvement open for 2 years to confirm it or mark it ended. A child
shielded since is told to nobody outside its LA team, and both answers are refused to the practitioner
(the policy's "shielded"): the reminder named the child, logged the look, and offered two buttons that
each gave "You cannot do this", for ever. It is asked only where the rules let its owner answer it."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from coordination.tests.support import record
from coordination.tests.test_expiry import CONFIRM, _inbox_in_the_future
from lifecycle.shielding import shield_set
from tests.journeys import signed_in


def test_an_old_involvement_with_a_child_shielded_since_is_not_put_to_its_owner(world, child):
    recorded_at = timezone.now()
    with time_machine.travel(recorded_at, tick=False):
        involvement = record(child, world.alice)
    shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm")
    with time_machine.travel(recorded_at + timedelta(days=731), tick=False):
        page = _inbox_in_the_future(world.alice)
        # What the reminder offered is refused to her: that is why it must not be offered.
        refused = signed_in(world.alice).post(
            reverse("coordination:confirm_involvement", args=[involvement.pk])
        )
    assert refused.status_code == 403
    assert CONFIRM not in page and "Amelia Thornton" not in page
    assert not AuditEvent.objects.filter(tag=AuditTag.InboxChildShown, child_id=child.pk).exists()


def test_an_old_involvement_with_a_child_not_shielded_is_still_put_to_its_owner(world, child):
    recorded_at = timezone.now()
    with time_machine.travel(recorded_at, tick=False):
        record(child, world.alice)
    with time_machine.travel(recorded_at + timedelta(days=731), tick=False):
        page = _inbox_in_the_future(world.alice)
    assert CONFIRM in page and "Amelia Thornton" in page
    assert AuditEvent.objects.filter(tag=AuditTag.InboxChildShown, child_id=child.pk).exists()
