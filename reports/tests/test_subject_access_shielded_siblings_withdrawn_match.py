"""Subject access: a withdrawn match with a shielded family member must not reach the other child's report.

A family match between a child and a shielded sibling is told to nobody on the child's side (the LA team
holding the sibling brokers it), and the brokering page's entries are withheld from the child's report
(session 18). When the match is withdrawn (the shared carer's phone corrected), the withdrawal is filed
under both children (session 21): the child's report then listed "Match withdrawn" for a match it had
never listed, telling the requester (who may be the person the sibling is shielded from) that a family
member of the child is known to services through a match the report holds back.
"""

from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag, tag_label
from coordination.models import Match, MatchKind
from coordination.tests.support import record
from corrections.fields import field_for
from corrections.services import correction_accept, correction_raise
from reports.subject_access import subject_access_report
from reports.tests.test_subject_access_third_parties import REQUEST, _brother, _pdf_text
from tests.journeys import signed_in
from tests.personas import make_child, make_user


def _phone_corrected(child, *, raised_by, accepted_by) -> None:
    field = field_for("carer-0-phone")
    assert field is not None
    correction = correction_raise(
        child=child, field=field, value="07700 900999", reason="new number", by=raised_by
    )
    correction_accept(correction=correction, by=accepted_by)


def test_a_withdrawn_match_with_a_shielded_sibling_is_not_told_in_the_other_childs_report(
    world, shielded_child
):
    brother = _brother(world)
    record(shielded_child, world.alice, role="Allocated social worker")
    record(brother, world.bob, role="GP")
    assert Match.objects.get().kind == MatchKind.FAMILY
    stella = make_user("stella", world.south, Role.LA_TEAM)
    _phone_corrected(brother, raised_by=world.bob, accepted_by=stella)
    assert not Match.objects.exists()
    assert AuditEvent.objects.filter(tag=AuditTag.MatchWithdrawn, child_id=brother.pk).exists()

    page = signed_in(stella).post(reverse("audit:subject_access", args=[brother.pk]), REQUEST)
    text = _pdf_text(signed_in(stella).post(reverse("audit:subject_access_pdf", args=[brother.pk]), REQUEST))
    assert "South Street Surgery" in text  # his own GP is listed, as it should be
    assert tag_label(AuditTag.MatchWithdrawn) not in text
    assert tag_label(AuditTag.MatchNotified) not in text
    assert "Northshire" not in text
    assert 'id="withheld-third-party"' in page.content.decode()  # counted for Southborough's team only


def test_a_withdrawn_match_between_two_children_neither_shielded_is_still_told(world, child):
    """The rule is about a shielded family member: a withdrawn match between two unshielded children
    stays in the report with the notices it withdrew (the session 21 rule)."""
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    record(child, world.alice, role="Allocated social worker")
    record(oliver, world.bob, role="GP")
    _phone_corrected(oliver, raised_by=world.alice, accepted_by=world.lena)
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    listed = [entry.description for entry in report.accesses]
    assert tag_label(AuditTag.MatchWithdrawn) in listed and tag_label(AuditTag.MatchNotified) in listed
    assert report.withheld_third_party == 0
