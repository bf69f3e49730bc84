"""The LA team's user look-up finds its own staff, whatever national accounts attached to its LA are called.

A national auditor or system administrator may be invited with an LA as their organisation; the LA team
may not review them (`access.policy.NATIONALLY_REVIEWED_ROLES`), so the reports menu leaves them out. But
`user_lookup` picked its matches before that: an exact username match won over every partial one, and
the attached auditor "norah" was then dropped, so typing "norah" answered "No account matches" although
the team's own practitioner Norah Jones matches it. Such accounts also took places in the 21 matches
fetched, crowding the team's own staff out.
"""

from django.urls import reverse

from accounts.models import Role
from reports.reports import USER_MATCH_LIMIT
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_user


def test_an_attached_auditors_username_does_not_hide_the_teams_own_staff_who_match_it(world):
    make_user("norah", world.north, Role.NATIONAL_AUDITOR)
    own = make_user("norah.jones", world.north_social_care, first_name="Norah", last_name="Jones")
    response = signed_in(world.lena).post(reverse("audit:index"), {"username": "norah", "find": "user"})
    assert response.status_code == 303
    assert response["Location"] == reverse("audit:user_activity", args=[own.pk])


def test_attached_national_accounts_take_no_place_among_the_matches(world):
    for n in range(USER_MATCH_LIMIT + 1):
        make_user(f"quill.admin{n:02}", world.north, Role.SYSTEM_ADMIN, last_name="Quill")
    own = make_user("zed.quill", world.north_school, first_name="Zed", last_name="Quill")
    response = signed_in(world.lena).post(reverse("audit:index"), {"username": "quill", "find": "user"})
    assert response.status_code == 303
    assert response["Location"] == reverse("audit:user_activity", args=[own.pk])


def test_the_national_auditor_still_finds_the_attached_auditor_by_username(world):
    auditor = make_user("norah", world.north, Role.NATIONAL_AUDITOR)
    make_user("norah.jones", world.north_social_care, first_name="Norah", last_name="Jones")
    response = signed_in(world.nadia).post(reverse("audit:index"), {"username": "norah", "find": "user"})
    assert response["Location"] == reverse("audit:user_activity", args=[auditor.pk])


def test_the_la_team_is_still_told_no_account_matches_the_auditor_alone(world):
    make_user("norah", world.north, Role.NATIONAL_AUDITOR)
    page = rendered(
        signed_in(world.lena).post(reverse("audit:index"), {"username": "norah", "find": "user"}),
        heading="Audit reports",
    )
    assert "No account matches that name or username" in page
