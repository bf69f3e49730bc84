"""The background-check and training dates the LA team types when inviting someone are in the invitation's
audit event (dates about a practitioner, never a child's), so a false date leaves a trace, and a later pass
of the training, which overwrites the account's date, does not erase what was typed."""

from datetime import date

from django.urls import reverse

from accounts.models import User
from accounts.services import account_invite
from audit.models import AuditEvent
from audit.tags import AuditTag
from team.tests.test_team import INVITE
from tests.invitations import CHECKED_YEAR
from tests.journeys import signed_in
from training.course import Marked
from training.services import assessment_record


def test_the_invitation_event_holds_the_dates_typed_and_a_later_pass_leaves_them(world):
    response = signed_in(world.lena).post(
        reverse("team:invite"), {**INVITE, "organisation": str(world.north_social_care.pk)}
    )
    assert response.status_code == 302
    ivy = User.objects.get(username="ivy")
    event = AuditEvent.objects.get(tag=AuditTag.AccountInvited)
    assert event.actor == world.lena
    assert event.additional == {
        "actor_role": "la_team",
        "user_id": ivy.pk,
        "role": "practitioner",
        "background_check_on": f"{CHECKED_YEAR}-01-10",
        "training_completed_on": "2026-02-10",
    }
    assessment_record(user=ivy, marked=Marked(correct=4, asked=4, wrong=()), pass_mark=3)
    ivy.refresh_from_db()
    assert ivy.training_completed_on != date(2026, 2, 10)
    event = AuditEvent.objects.get(tag=AuditTag.AccountInvited)
    assert event.additional["training_completed_on"] == "2026-02-10"


def test_an_invitation_without_dates_records_them_as_not_given(world):
    account_invite(
        by=world.lena,
        username="nodates",
        first_name="No",
        last_name="Dates",
        email="nodates@example.org",
        organisation=world.north_social_care,
        role="practitioner",
        background_check_on=None,
        training_completed_on=None,
    )
    event = AuditEvent.objects.get(tag=AuditTag.AccountInvited)
    assert (event.additional["background_check_on"], event.additional["training_completed_on"]) == (
        None,
        None,
    )
