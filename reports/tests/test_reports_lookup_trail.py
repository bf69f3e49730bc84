"""The trail of a report look-up must not undo the look-up's own rule: a match outside the reader's scope
answers exactly like no match (pentest finding 4), on the look-up page and in the activity report that
lists the look-up afterwards. Rows about another LA's child (a practitioner of this LA viewed it) keep
their index number, but never link to (and so never give) that child's id."""

import re

from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.index_number import formatted
from reports.reports import child_access, report_rows
from reports.tests.reporting import viewed
from tests.journeys import signed_in
from tests.personas import make_child, make_user

UNKNOWN = "00000000000000"


def _activity_after_lookup(world, number: str) -> str:
    client = signed_in(world.lena)
    client.post(reverse("audit:index"), {"index_number": number})
    page = client.get(reverse("audit:user_activity", args=[world.lena.pk])).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_the_activity_report_does_not_turn_another_las_index_number_into_a_child_id(world):
    southern = make_child(world, given_names="Zofia", family_name="Quennell", la=world.south)
    page = _activity_after_lookup(world, southern.index_number)
    assert 'data-label="Event"' in page
    assert str(southern.pk) not in page
    assert formatted(southern.index_number) not in page and southern.index_number not in page


def test_the_activity_report_answers_another_las_number_like_an_unknown_one(world):
    southern = make_child(world, given_names="Zofia", family_name="Quennell", la=world.south)
    other = _activity_after_lookup(world, southern.index_number)
    both = _activity_after_lookup(world, UNKNOWN)  # lists both look-ups (and the first page's view)
    rows = re.findall(r'data-label="Index number"><div class="cp-cell">(.*?)</div>', both)
    assert len(rows) >= 2
    assert set(rows) == {""}, rows
    assert "Removed record" not in other


def test_the_la_teams_own_lookups_of_its_own_children_still_link_to_their_report(world, child):
    page = _activity_after_lookup(world, child.index_number)
    assert reverse("audit:child_access", args=[child.pk]) in page


def test_another_las_child_viewed_by_this_las_practitioner_is_listed_by_number_without_its_id(world):
    southern = make_child(world, given_names="Zofia", family_name="Quennell", la=world.south)
    viewed(southern, world.alice)
    page = signed_in(world.lena).get(reverse("audit:user_activity", args=[world.alice.pk])).content.decode()
    assert formatted(southern.index_number) in page or southern.index_number in page
    assert str(southern.pk) not in page


def test_the_childs_own_la_team_sees_the_other_las_lookup_in_its_access_report(world):
    southern = make_child(world, given_names="Zofia", family_name="Quennell", la=world.south)
    signed_in(world.lena).post(reverse("audit:index"), {"index_number": southern.index_number})
    stella = make_user("stella", world.south, Role.LA_TEAM)
    rows = report_rows(events=child_access(child=southern, fetched_by=stella), fetched_by=stella)
    lookups = [r for r in rows if r.tag == AuditTag.ReportLookup]
    assert [(r.actor, r.index_number) for r in lookups] == [(world.lena, southern.index_number)]
    assert AuditEvent.objects.filter(tag=AuditTag.ReportLookup, child_id=southern.pk).count() == 1
