"""Two colleagues decide one correction at once: two real requests (PostgreSQL). One decision stands;
the other colleague is sent back to the queue and told, never shown the decision form again."""

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from corrections.fields import field_for
from corrections.models import Correction, CorrectionStatus
from corrections.services import correction_raise
from corrections.tests.deciding import accept_as_shown
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in
from tests.personas import make_child, make_user

pytestmark = postgresql_race()


@pytest.mark.parametrize("attempt", range(5))
def test_the_colleague_who_decides_second_is_sent_to_the_queue_not_shown_the_form_again(world, attempt):
    child = make_child(world)
    correction = correction_raise(
        child=child, field=field_for("family_name"), value="Thorneton", reason="Certificate", by=world.alice
    )
    colleague = make_user(f"lena-colleague-{attempt}", world.north, Role.LA_TEAM)
    tabs = [signed_in(world.lena), signed_in(colleague)]
    url = reverse("corrections:decide", args=[correction.pk])
    bodies = [accept_as_shown(correction), {"decision": "reject", "reason": "Not proven"}]

    answers = run_together(2, lambda i: tabs[i].post(url, bodies[i]))

    assert [a.status_code for a in answers] == [302, 302]
    assert {a["Location"] for a in answers} == {reverse("corrections:queue")}
    assert Correction.objects.get(pk=correction.pk).status != CorrectionStatus.PENDING
    decided = AuditEvent.objects.filter(tag__in=[AuditTag.CorrectionAccepted, AuditTag.CorrectionRejected])
    assert decided.count() == 1
