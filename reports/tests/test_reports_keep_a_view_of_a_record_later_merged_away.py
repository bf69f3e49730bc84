"""A view of a record later merged away stays on its LA team's unexplained-views report and summary.

The view stays filed under the duplicate's id (the log is never rewritten). The child's own access
report finds it through the identities the survivor carries on (`record_ids`), but the LA-wide reports
asked only whether the event's child was one of the LA's records still there: once merged away, another
LA's practitioner's unexplained view of the child left the report of the team that reviews it (and the
practitioner's own LA team does not review another LA's children). The scope now counts every identity
the LA's records carry on (`CarriedIdentity`).
"""

from datetime import date, timedelta

from accounts.models import Role
from children.models import Child
from linkage.merging import child_merge
from reports.reports import activity_in_scope, child_access, event_summary, unexplained_views
from reports.tests.reporting import viewed
from tests.personas import make_child, make_user


def _merged_after_bobs_view(world):
    keep = make_child(world)
    duplicate = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS1 4AB")
    viewed(duplicate, world.bob)  # Southborough's GP, no search: unexplained
    assert {e.child_id for e in unexplained_views(fetched_by=world.lena)} == {duplicate.pk}
    child_merge(survivor=keep, duplicate=duplicate, by=world.lena, reason="Synthetic duplicate")
    assert not Child.objects.filter(pk=duplicate.pk).exists()
    assert child_access(child=keep, fetched_by=world.lena).filter(actor=world.bob).exists()
    return keep, duplicate


def test_the_view_stays_on_the_childs_las_unexplained_report_after_the_merge(world):
    _, duplicate = _merged_after_bobs_view(world)

    unexplained = [(e.actor_id, e.child_id) for e in unexplained_views(fetched_by=world.lena)]

    assert unexplained == [(world.bob.pk, duplicate.pk)]


def test_the_view_stays_in_the_childs_las_activity_summary_after_the_merge(world):
    _, duplicate = _merged_after_bobs_view(world)

    events = activity_in_scope(fetched_by=world.lena)
    summary = {(row.tag, row.organisation) for row in event_summary(events=events)}

    assert events.filter(actor=world.bob, child_id=duplicate.pk).exists()
    assert ("child:record:viewed", str(world.bob.organisation)) in summary


def test_the_view_stays_after_a_chain_of_merges(world):
    first, duplicate = _merged_after_bobs_view(world)
    last = make_child(world, given_names="Amelia", family_name="Thornton", date_of_birth=date(2015, 3, 5))
    child_merge(survivor=last, duplicate=first, by=world.lena, reason="Synthetic duplicate")

    today = date.today()
    unexplained = unexplained_views(fetched_by=world.lena, date_from=today - timedelta(days=1), date_to=today)

    assert [(e.actor_id, e.child_id) for e in unexplained] == [(world.bob.pk, duplicate.pk)]


def test_another_las_team_still_does_not_see_it(world):
    _merged_after_bobs_view(world)
    south_team = make_user("stella", world.south, Role.LA_TEAM)

    # Southborough reviews what its own GP did (their activity), but not as unexplained views of its
    # children, nor anything about Northshire's records beyond its own staff's events.
    assert {e.actor_id for e in activity_in_scope(fetched_by=south_team)} <= {world.bob.pk, south_team.pk}


def test_the_national_auditor_still_sees_it(world):
    _, duplicate = _merged_after_bobs_view(world)

    assert duplicate.pk in {e.child_id for e in unexplained_views(fetched_by=world.nadia)}
