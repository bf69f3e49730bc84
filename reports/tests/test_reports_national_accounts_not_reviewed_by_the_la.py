"""An LA team must not read the activity of the national auditor (or system administrator) attached to it.

The national auditor reviews the LA teams' use of the index; the system administrator looks after them.
Either may be invited with an LA as their organisation (`administration.forms.NationalInviteForm` offers
every LA), and the LA team's report scope is "its own LA's users" (`home_la_id`), so the team that the
auditor is reviewing could open the auditor's activity report (found by name on the reports menu) and
read every report the auditor opened: the index numbers of the children and which reports, nationally,
including other LAs' children the team may not look up itself. Reviewing the reviewer is national work
(docs/DECISIONS.md section 7 already took these accounts out of the LA team's account administration).
"""

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.index_number import formatted
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child, make_user


@pytest.fixture
def attached_auditor(world):
    """Norah, a national auditor whose organisation is Northshire Council."""
    return make_user("norah", world.north, Role.NATIONAL_AUDITOR)


@pytest.fixture
def investigated(world, attached_auditor):
    """Norah opens the access report of a Southborough child: an investigation Northshire has no part in."""
    south_child = make_child(world, given_names="Ruby", la=world.south, postcode="SB1 2AA")
    response = signed_in(attached_auditor).get(reverse("audit:child_access", args=[south_child.pk]))
    assert response.status_code == 200
    return south_child


def test_the_la_team_cannot_open_the_activity_report_of_a_national_auditor_attached_to_its_la(
    world, attached_auditor, investigated
):
    lena = signed_in(world.lena)
    response = lena.get(reverse("audit:user_activity", args=[attached_auditor.pk]))
    assert response.status_code == 403
    assert formatted(investigated.index_number) not in response.content.decode()
    refused = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.lena).latest("id")
    assert refused.additional.get("action") == "audit:report:view"


def test_nor_download_its_summary(world, attached_auditor, investigated):
    response = signed_in(world.lena).get(
        reverse("audit:export"), {"report": "user", "user": attached_auditor.pk}
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(tag=AuditTag.ReportExported, actor=world.lena).exists()


def test_the_reports_menu_does_not_find_the_auditor_by_name(world, attached_auditor):
    lena = signed_in(world.lena)
    response = lena.post(reverse("audit:index"), {"username": "norah", "find": "user"})
    page = rendered(response, heading="Audit reports")
    assert "No account matches that name or username" in page
    assert reverse("audit:user_activity", args=[attached_auditor.pk]) not in page


def test_a_system_administrator_attached_to_the_la_is_not_reviewed_by_it_either(world):
    admin = make_user("sasha", world.north, Role.SYSTEM_ADMIN)
    response = signed_in(world.lena).get(reverse("audit:user_activity", args=[admin.pk]))
    assert response.status_code == 403


def test_the_la_team_still_reviews_its_practitioners_and_the_national_auditor_still_reviews_the_attached_auditor(
    world, attached_auditor, investigated
):
    assert signed_in(world.lena).get(reverse("audit:user_activity", args=[world.alice.pk])).status_code == 200
    page = signed_in(world.nadia).get(reverse("audit:user_activity", args=[attached_auditor.pk]))
    assert page.status_code == 200
    assert formatted(investigated.index_number) in page.content.decode()
