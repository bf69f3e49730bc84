"""An LA team's scope-wide reports leave out the national work of national accounts attached to its LA.

Session 25 took the activity of a national auditor or system administrator whose organisation is one of
the LA's out of the LA team's per-person report: their work covers other LAs' children and accounts. The
LA's other reports still took in "every event whose organisation is the LA's" (`reports.reports._in_scope`):
the activity summary CSV counted the auditor's investigation of another LA's child (report views,
look-ups, exports) and the administrator's suspension of another LA's team member under the LA's own
organisation, and an account whose role changed since showed its national-auditor days, with the other
LA's children's index numbers, on its activity page. What happened to the LA's own children stays in
its reports whoever did it, as the child's own access report and the subject access report list it.
"""

import csv
from io import StringIO

import pytest
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from audit.tests.tampering import triggers_bypassed
from children.index_number import formatted
from reports.reports import activity_in_scope, unexplained_views
from reports.tests.reporting import viewed
from tests.journeys import signed_in
from tests.personas import make_child, make_user

REPORT_TAGS = {AuditTag.ReportViewed, AuditTag.ReportLookup, AuditTag.ReportExported}


def _summary(client):
    """The LA team's activity summary CSV, as (tag, organisation, count) rows."""
    response = client.get(reverse("audit:export"))
    assert response.status_code == 200
    rows = list(csv.reader(StringIO(response.content.decode())))
    assert rows[0] == ["day", "event", "tag", "organisation", "count"]
    return [(tag, organisation, int(count)) for _, _, tag, organisation, count in rows[1:]]


@pytest.fixture
def norah(world):
    """A national auditor whose organisation is Northshire Council (the LA team's own)."""
    return make_user("norah", world.north, Role.NATIONAL_AUDITOR)


@pytest.fixture
def south_child(world):
    return make_child(world, given_names="Ruby", family_name="Okafor", la=world.south, postcode="SB1 2AA")


def _investigates(auditor, child):
    """The auditor finds a child by index number and reads and exports its access report."""
    client = signed_in(auditor)
    found = client.post(reverse("audit:index"), {"index_number": child.index_number, "find": "record"})
    assert found.status_code == 303
    assert client.get(reverse("audit:child_access", args=[child.pk])).status_code == 200
    exported = client.get(reverse("audit:export"), {"report": "child", "child": child.pk})
    assert exported.status_code == 200


def test_the_la_teams_summary_does_not_count_an_attached_auditors_investigation_of_another_las_child(
    world, norah, south_child
):
    _investigates(norah, south_child)
    rows = _summary(signed_in(world.lena))
    assert [row for row in rows if row[0] in REPORT_TAGS] == []
    # The national auditor still reads the whole investigation in the national summary.
    national = _summary(signed_in(world.nadia))
    assert ("audit:report:viewed", "Northshire Council", 1) in national


def test_nor_an_attached_system_administrators_suspension_of_another_las_team_member(world, south_child):
    sasha = make_user("sasha", world.north, Role.SYSTEM_ADMIN)
    south_team = make_user("stella", world.south, Role.LA_TEAM)
    assert account_suspend(user=south_team, by=sasha, reason="Synthetic national review")
    rows = _summary(signed_in(world.lena))
    assert [row for row in rows if row[0] == AuditTag.AccountSuspended] == []


def test_an_attached_auditors_look_at_the_las_own_child_stays_in_its_reports(world, norah, child):
    """Consistent with the child's access report and subject access: the LA's child is the LA's business."""
    _investigates(norah, child)
    rows = _summary(signed_in(world.lena))
    assert ("audit:report:viewed", "Northshire Council", 1) in rows
    assert ("audit:report:exported", "Northshire Council", 1) in rows
    page = signed_in(world.lena).get(reverse("audit:child_access", args=[child.pk])).content.decode()
    assert "Norah Example" in page


def test_the_la_team_still_counts_its_colleagues_and_data_manager(world, child, south_child):
    """Only the national reviewers' and administrators' events are left out: the data manager is the LA's."""
    viewed(south_child, world.alice)
    dara = signed_in(world.dara)
    assert dara.get(reverse("audit:index")).status_code == 403  # a refusal recorded under Northshire Council
    rows = _summary(signed_in(world.lena))
    assert ("child:record:viewed", "Northshire Children's Services", 1) in rows
    assert ("access:denied", "Northshire Council", 1) in rows


def test_an_account_whose_role_changed_shows_no_national_days_on_its_activity_page(
    world, norah, south_child, child
):
    """The auditor is made a practitioner: the LA team now reads their activity, but only as theirs."""
    _investigates(norah, south_child)
    User.objects.filter(pk=norah.pk).update(role=Role.PRACTITIONER)
    norah.refresh_from_db()
    viewed(child, norah)
    response = signed_in(world.lena).get(reverse("audit:user_activity", args=[norah.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert formatted(south_child.index_number) not in page
    assert formatted(child.index_number) in page
    assert [e.tag for e in activity_in_scope(fetched_by=world.lena).filter(actor=norah)] == [
        AuditTag.RecordViewed
    ]


def test_a_view_recorded_under_a_national_role_is_not_in_the_las_unexplained_report(
    world, norah, south_child, child
):
    """National roles may not open records, so such a view is not expected; the scope is one rule still."""
    viewed(south_child, norah)
    viewed(child, norah)
    assert {e.child_id for e in unexplained_views(fetched_by=world.lena)} == {child.pk}
    assert {e.child_id for e in unexplained_views(fetched_by=world.nadia)} == {child.pk, south_child.pk}


def test_events_written_before_roles_were_recorded_fall_back_to_the_accounts_role(world, norah, south_child):
    """`role_at_event`'s rule: an event with no recorded role was done in the account's role of today."""
    _investigates(norah, south_child)
    with triggers_bypassed():  # append-only on PostgreSQL: rows written before the role was recorded
        for event in AuditEvent.objects.filter(actor=norah):
            additional = {k: v for k, v in event.additional.items() if k != "actor_role"}
            AuditEvent.objects.filter(pk=event.pk).update(additional=additional)
    assert not AuditEvent.objects.filter(actor=norah, additional__has_key="actor_role").exists()
    rows = _summary(signed_in(world.lena))
    assert [row for row in rows if row[0] in REPORT_TAGS] == []
