"""Who may open audit reports and produce subject access reports, and the reasons they are told."""

from datetime import date

import pytest
from django.urls import reverse

from access.permissions import Permission
from access.policy import decide
from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.search import SearchCriteria, child_search
from tests.journeys import signed_in
from tests.other_la import main_of
from tests.personas import make_child, make_user

REPORT_PAGES = ["audit:index", "audit:unexplained", "audit:export"]


def _reason(response) -> str:
    return response.content.decode().split('data-reason="')[1].split('"')[0]


@pytest.mark.parametrize("url_name", REPORT_PAGES)
@pytest.mark.parametrize("persona", ["alice", "bob", "olivia", "dara"])
def test_it_refuses_report_pages_to_other_roles(world, url_name, persona):
    response = signed_in(getattr(world, persona)).get(reverse(url_name))
    assert response.status_code == 403
    assert _reason(response) == "role_not_permitted"


@pytest.mark.parametrize("url_name", REPORT_PAGES)
@pytest.mark.parametrize("persona", ["sam", "tom"])
def test_it_refuses_suspended_and_lapsed_la_team_members(world, url_name, persona):
    user = getattr(world, persona)
    user.role = Role.LA_TEAM
    user.organisation = world.north
    user.save()
    response = signed_in(user).get(reverse(url_name))
    if persona == "tom":  # lapsed training: sent to the course, the report unseen
        assert (response.status_code, response["Location"]) == (302, reverse("training:course"))
    else:
        assert response.status_code == 403
        assert _reason(response) == "suspended"


@pytest.mark.parametrize("url_name", REPORT_PAGES)
@pytest.mark.parametrize("persona", ["lena", "nadia"])
def test_it_opens_report_pages_to_the_la_team_and_the_national_auditor(world, url_name, persona):
    assert signed_in(getattr(world, persona)).get(reverse(url_name)).status_code == 200


def test_the_la_team_of_another_la_cannot_see_a_childs_access_report(world):
    """Refused either way; told the child is another LA's only once their search found it (by id alone,
    a refusal says nothing of the child: review, session 37)."""
    south_child = make_child(world, given_names="Noah", family_name="Begum", la=world.south)
    url = reverse("audit:child_access", args=[south_child.pk])
    response = signed_in(world.lena).get(url)
    assert response.status_code == 403
    assert _reason(response) == "not_found_by_search"
    assert world.south.name not in main_of(response)
    child_search(criteria=SearchCriteria("Begum", date_of_birth=date(2015, 3, 4)), fetched_by=world.lena)
    response = signed_in(world.lena).get(url)
    assert response.status_code == 403
    assert _reason(response) == "other_la"
    assert not AuditEvent.objects.filter(tag=AuditTag.ReportViewed, actor=world.lena).exists()


def test_the_la_team_of_another_la_cannot_see_a_users_activity(world):
    response = signed_in(world.lena).get(reverse("audit:user_activity", args=[world.bob.pk]))
    assert response.status_code == 403
    assert _reason(response) == "other_la"


def test_the_la_team_of_another_la_cannot_export_a_childs_summary(world):
    south_child = make_child(world, given_names="Noah", family_name="Begum", la=world.south)
    response = signed_in(world.lena).get(
        reverse("audit:export"), {"report": "child", "child": south_child.pk}
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(tag=AuditTag.ReportExported).exists()


def test_the_la_team_of_another_la_cannot_export_a_users_summary(world):
    response = signed_in(world.lena).get(reverse("audit:export"), {"report": "user", "user": world.bob.pk})
    assert response.status_code == 403


def test_the_national_auditor_may_see_any_users_activity_and_any_childs_access(world, child):
    nadia = signed_in(world.nadia)
    assert nadia.get(reverse("audit:user_activity", args=[world.bob.pk])).status_code == 200
    assert nadia.get(reverse("audit:child_access", args=[child.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["nadia", "alice", "olivia"])
def test_only_the_owning_la_team_may_produce_a_subject_access_report(world, child, persona):
    response = signed_in(getattr(world, persona)).get(reverse("audit:subject_access", args=[child.pk]))
    assert response.status_code == 403
    assert _reason(response) == "role_not_permitted"


def test_another_la_team_may_not_produce_a_subject_access_report(world, child):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    for url_name in ("audit:subject_access", "audit:subject_access_pdf"):
        response = signed_in(stella).post(
            reverse(url_name, args=[child.pk]), {"identity_checked": "on", "reference": "SAR-1"}
        )
        assert response.status_code == 403
        assert _reason(response) == "not_found_by_search"  # by id alone: nothing of the child is told
        assert world.north.name not in main_of(response)
    assert not AuditEvent.objects.filter(tag=AuditTag.SubjectAccessProduced).exists()
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=stella).count() == 2


def test_a_refusal_is_audited_with_the_action_and_reason(world, child):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    signed_in(stella).get(reverse("audit:child_access", args=[child.pk]))
    event = AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor=stella)
    # Another LA's child tried by id is a look-up for the misuse rules (marked as written, since session 38).
    assert event.additional == {
        "actor_role": "la_team",
        "action": "audit:report:view",
        "reason": "other_la",
        "look_up": True,
    }
    assert event.child_id == child.pk


def test_an_la_team_member_without_an_organisation_has_no_audit_scope(world, child):
    lena = world.lena
    lena.organisation = None
    decision = decide(actor=lena, action=Permission.AuditReportView, child=child)
    assert decision.reason == "no_organisation"


def test_an_la_team_member_whose_organisation_has_no_la_sees_nothing(world, child):
    world.lena.organisation = world.nadia.organisation
    decision = decide(actor=world.lena, action=Permission.AuditReportView, child=child)
    assert (decision.allowed, decision.reason) == (False, "other_la")


def test_a_subject_access_form_needs_a_fresh_sign_in(world, child):
    response = signed_in(world.lena, reauthenticated=False).get(
        reverse("audit:subject_access", args=[child.pk])
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
