"""A shielding change is audited with its reason sealed under the child's key, and the shielding page
promises the reason is seen by those allowed to read the child's audit. The LA team's access report of
the child opened every `reason_sealed` as a break-glass reason (another sealing context), so after any
shielding change the report of that child (the one most at risk) was a server error, shown to nobody."""

from django.urls import reverse

from audit.tags import AuditTag, tag_label
from lifecycle.shielding import shield_set
from tests.journeys import signed_in
from tests.personas import make_child

SHIELD_REASON = "Risk from a former partner, assessed by the team"


def test_the_la_teams_access_report_of_a_child_shielded_then_lifted_shows_both_changes_and_their_reasons(
    world,
):
    child = make_child(world)
    assert shield_set(child=child, by=world.lena, shielded=True, reason=SHIELD_REASON)
    assert shield_set(child=child, by=world.lena, shielded=False, reason="Risk has passed")

    response = signed_in(world.lena).get(reverse("audit:child_access", args=[child.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert tag_label(AuditTag.ShieldApplied) in page and tag_label(AuditTag.ShieldLifted) in page
    assert SHIELD_REASON in page and "Risk has passed" in page
