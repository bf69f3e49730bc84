"""The corrections and complaints rules, asked of the policy directly (pages: corrections/tests)."""

from datetime import date

from django.utils import timezone

from access.permissions import Permission
from access.policy import complaint_decide, correction_decide, correction_raise_decide, decide
from accounts.models import Role
from corrections.fields import field_for
from corrections.services import complaint_record, correction_raise
from lifecycle.services import child_archive
from tests.personas import make_user


def _correction(world, child, field="family_name", by=None):
    return correction_raise(
        child=child, field=field_for(field), value="Thorneton", reason="Seen", by=by or world.alice
    )


def test_a_correction_to_a_record_archived_since_is_refused(world, child):
    correction = _correction(world, child)
    child_archive(child_id=child.pk, rule="age", today=timezone.localdate())
    correction.child.refresh_from_db()
    assert correction_decide(actor=world.lena, correction=correction).reason == "archived"


def test_deciding_needs_a_home_la(world, child):
    correction = _correction(world, child)
    homeless = make_user("homeless", world.nadia.organisation, Role.DATA_MANAGER)
    assert decide(actor=homeless, action=Permission.CorrectionDecide).reason == "no_organisation"
    assert correction_decide(actor=homeless, correction=correction).reason == "no_organisation"
    assert decide(actor=homeless, action=Permission.ComplaintManage).reason == "role_not_permitted"


def test_the_raise_rule_allows_a_visible_field_and_refuses_a_hidden_one(world, child, shielded_child):
    assert correction_raise_decide(actor=world.bob, child=child, field="address").allowed
    assert (
        correction_raise_decide(actor=world.bob, child=shielded_child, field="address").reason == "shielded"
    )
    assert correction_raise_decide(actor=world.bob, child=shielded_child, field="gender").allowed
    assert correction_raise_decide(actor=world.lena, child=shielded_child, field="carer-0-email").allowed
    assert (
        correction_raise_decide(actor=world.dara, child=child, field="gender").reason == "role_not_permitted"
    )


def test_a_complaint_is_its_own_las_alone(world, child):
    complaint = complaint_record(
        child=child,
        by=world.lena,
        complainant="child",
        about="record",
        received_on=date(2026, 11, 2),
        summary="S",
    )
    assert complaint_decide(actor=world.lena, complaint=complaint).allowed
    stella = make_user("stella", world.south, Role.LA_TEAM)
    assert complaint_decide(actor=stella, complaint=complaint).reason == "other_la"
    assert complaint_decide(actor=world.dara, complaint=complaint).reason == "role_not_permitted"
    assert decide(actor=stella, action=Permission.ComplaintRecord, child=child).reason == "other_la"
