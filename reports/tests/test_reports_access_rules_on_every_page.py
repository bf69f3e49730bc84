"""Every audit page that names a child or a person, tried by someone the rules refuse.

`test_reports_access` tries the menu, the unexplained views and the default summary; these are the pages
that take an id (a person's activity, a child's access report, their summaries, subject access), each
tried by an LA team member suspended after signing in, one whose training or background check lapsed,
the wrong roles and another LA's team. Each refusal must show nothing of the report (no index number)
and leave no record that the report was seen, exported or produced.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.index_number import formatted
from reports.tests.reporting import viewed
from tests.journeys import signed_in
from tests.other_la import main_of
from tests.personas import make_user

SAR_FORM = {"identity_checked": "on", "reference": "SAR-1", "withhold_covert": "on"}
PRODUCED = {AuditTag.ReportViewed, AuditTag.ReportExported, AuditTag.SubjectAccessProduced}


def _pages(world, child):
    """(method, url, data) of every page about one person or one child."""
    return [
        ("get", reverse("audit:user_activity", args=[world.alice.pk]), {}),
        ("get", reverse("audit:child_access", args=[child.pk]), {}),
        ("get", reverse("audit:export"), {"report": "child", "child": child.pk}),
        ("get", reverse("audit:export"), {"report": "user", "user": world.alice.pk}),
        ("get", reverse("audit:subject_access", args=[child.pk]), {}),
        ("post", reverse("audit:subject_access", args=[child.pk]), SAR_FORM),
        ("post", reverse("audit:subject_access_pdf", args=[child.pk]), SAR_FORM),
    ]


def _reason(response) -> str:
    return response.content.decode().split('data-reason="')[1].split('"')[0]


def _tried(world, child, who: User, **after_sign_in: object) -> list:
    """Sign in, then (`after_sign_in`: what a colleague or the calendar changes while the session is open)
    try every page; the child's index number must appear on none of them."""
    viewed(child, world.alice)
    client = signed_in(who)
    if after_sign_in:
        User.objects.filter(pk=who.pk).update(**after_sign_in)
    answers = []
    for method, url, data in _pages(world, child):
        response = getattr(client, method)(url, data)
        assert formatted(child.index_number) not in response.content.decode(errors="replace"), url
        assert child.index_number not in response.content.decode(errors="replace"), url
        answers.append(response)
    assert not AuditEvent.objects.filter(actor=who, tag__in=PRODUCED).exists()
    return answers


@pytest.fixture
def la_colleague(world):
    return make_user("lara", world.north, Role.LA_TEAM)


def test_an_la_team_member_suspended_after_signing_in_reads_none_of_them(world, child, la_colleague):
    first, *later = _tried(world, child, la_colleague, suspended_at=timezone.now())
    assert first.status_code == 403
    assert _reason(first) == "suspended"
    for response in later:  # the refusal signed them out: every later page asks them to sign in
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_an_la_team_member_whose_training_lapsed_is_sent_to_the_course(world, child, la_colleague):
    lapsed = timezone.localdate() - timedelta(days=400)
    for response in _tried(world, child, la_colleague, training_completed_on=lapsed):
        assert (response.status_code, response["Location"]) == (302, reverse("training:course"))


def test_an_la_team_member_whose_background_check_lapsed_reads_none_of_them(world, child, la_colleague):
    lapsed = timezone.localdate() - timedelta(days=3 * 366 + 1)
    for response in _tried(world, child, la_colleague, background_check_on=lapsed):
        assert response.status_code == 403
        assert _reason(response) == "background_check_lapsed"


@pytest.mark.parametrize(
    "role", [Role.PRACTITIONER, Role.OVERRIDE_HOLDER, Role.DATA_MANAGER, Role.SYSTEM_ADMIN]
)
def test_the_other_roles_of_the_childs_own_la_read_none_of_them(world, child, role):
    who = make_user("wren", world.north, role)
    for response in _tried(world, child, who):
        assert response.status_code == 403
        assert _reason(response) == "role_not_permitted"


def test_another_las_team_reads_none_of_them(world, child):
    """A person's pages say they are another LA's; a child's, by id alone, say nothing of the child (review,
    session 37): the reason every child's id is given, and no LA named."""
    stella = make_user("stella", world.south, Role.LA_TEAM)
    for (_method, url, data), response in zip(
        _pages(world, child), _tried(world, child, stella), strict=True
    ):
        assert response.status_code == 403
        about_a_person = data.get("report") == "user" or url == reverse(
            "audit:user_activity", args=[world.alice.pk]
        )
        assert _reason(response) == ("other_la" if about_a_person else "not_found_by_search"), url
        if not about_a_person:
            assert world.north.name not in main_of(response), url


def test_the_national_auditor_reads_the_reports_but_produces_no_subject_access(world, child):
    client = signed_in(world.nadia)
    viewed(child, world.alice)
    for method, url, data in _pages(world, child):
        response = getattr(client, method)(url, data)
        if "subject-access" in url:
            assert response.status_code == 403
            assert _reason(response) == "role_not_permitted"
        else:
            assert response.status_code == 200
    assert not AuditEvent.objects.filter(tag=AuditTag.SubjectAccessProduced).exists()
