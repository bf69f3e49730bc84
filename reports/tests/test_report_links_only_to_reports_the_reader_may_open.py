"""A report links a person's name to their activity report only where the reader may open it.

The child's access report listed every actor as a link to their activity report. For the LA team, the
name of a practitioner of another LA (who viewed the child after a search) and of a national auditor
attached to the LA (reviewing the child's report) led to a refusal page, and each click was recorded as
an access refused against the team member. The names are still shown (who looked at the child is what the
report is for); only the links the policy would refuse are left out.
"""

from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.index_number import formatted
from children.viewing import PurposeGrant, record_view_audit
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_user

GRANT = PurposeGrant(purpose="providing_service", detail_sealed=None)


def _looked_at_by_three(world, child):
    """Alice (North) and Pat (a Southborough GP) view the child; Norah, a national auditor attached to
    North, opens its access report."""
    pat = make_user("pat", world.south_gp, last_name="Southgate")
    norah = make_user("norah", world.north, Role.NATIONAL_AUDITOR, last_name="Auditor")
    for practitioner in (world.alice, pat):
        record_view_audit(child=child, by=practitioner, grant=GRANT, restricted=False)
    assert signed_in(norah).get(reverse("audit:child_access", args=[child.pk])).status_code == 200
    return pat, norah


def _activity_link(user) -> str:
    return f'href="{reverse("audit:user_activity", args=[user.pk])}"'


def test_the_la_team_sees_every_name_but_links_only_its_own_las_staff(world, child):
    pat, norah = _looked_at_by_three(world, child)
    response = signed_in(world.lena).get(reverse("audit:child_access", args=[child.pk]))
    page = rendered(response, heading=f"Index number {formatted(child.index_number)}")
    for person in (world.alice, pat, norah):
        assert person.get_full_name() in page
    assert _activity_link(world.alice) in page
    assert _activity_link(pat) not in page
    assert _activity_link(norah) not in page


def test_every_link_the_team_is_shown_opens(world, child):
    _looked_at_by_three(world, child)
    lena = signed_in(world.lena)
    page = lena.get(reverse("audit:child_access", args=[child.pk])).content.decode()
    refused_before = AuditEvent.objects.filter(tag=AuditTag.AccessDenied).count()
    linked = [user for user in type(world.alice).objects.all() if _activity_link(user) in page]
    assert linked
    for user in linked:
        assert lena.get(reverse("audit:user_activity", args=[user.pk])).status_code == 200
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied).count() == refused_before


def test_the_national_auditor_is_linked_to_everyone_it_may_review(world, child):
    pat, norah = _looked_at_by_three(world, child)
    page = signed_in(world.nadia).get(reverse("audit:child_access", args=[child.pk])).content.decode()
    for person in (world.alice, pat, norah):
        assert _activity_link(person) in page
