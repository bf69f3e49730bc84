"""Unexplained accesses: record views with no earlier search returning the child and no involvement."""

from django.urls import reverse

from audit.models import AuditEvent, SearchAppearance
from audit.services import event_record, search_appearances_rebuild
from audit.tags import AuditTag
from audit.tests.tampering import triggers_bypassed
from reports.reports import unexplained_views
from reports.tests.reporting import involved, searched, viewed
from tests.journeys import signed_in
from tests.personas import make_child


def _unexplained(world, by=None):
    return list(unexplained_views(fetched_by=by or world.nadia))


def test_a_view_without_a_search_or_involvement_is_unexplained(world, child):
    viewed(child, world.bob)
    assert [(e.actor_id, e.child_id) for e in _unexplained(world)] == [(world.bob.pk, child.pk)]


def test_a_view_after_a_search_that_returned_the_child_is_explained(world, child):
    assert searched(world.bob) == [child]
    viewed(child, world.bob)
    assert _unexplained(world) == []


def test_a_search_after_the_view_does_not_explain_it(world, child):
    viewed(child, world.bob)
    searched(world.bob)
    assert len(_unexplained(world)) == 1


def test_another_persons_search_does_not_explain_a_view(world, child):
    searched(world.alice)
    viewed(child, world.bob)
    assert len(_unexplained(world)) == 1


def test_a_search_that_returned_other_children_does_not_explain_a_view(world, child):
    other = make_child(world, given_names="Noah", family_name="Begum")
    searched(world.bob, family_name="Begum")
    viewed(child, world.bob)
    viewed(other, world.bob)
    assert [e.child_id for e in _unexplained(world)] == [child.pk]


def test_a_search_with_too_many_matches_returned_nobody_and_explains_nothing(world, child, settings):
    settings.SEARCH_RESULT_CAP = 0
    assert searched(world.bob) == []
    viewed(child, world.bob)
    assert len(_unexplained(world)) == 1


def test_an_involvement_recorded_by_the_viewer_after_a_first_look_explains_the_views_after_it(world, child):
    """Only the first look is unexplained: an involvement recorded without ever looking at the record
    (opened by id, a purpose stated) explains nothing (`oversight.misuse._unexplained_condition`)."""
    viewed(child, world.alice)
    involved(child, world.alice)
    viewed(child, world.alice)
    assert [e.actor_id for e in _unexplained(world)] == [world.alice.pk]


def test_an_involvement_recorded_without_ever_looking_explains_no_view(world, child):
    involved(child, world.alice)
    viewed(child, world.alice)
    assert [e.actor_id for e in _unexplained(world)] == [world.alice.pk]


def test_an_involvement_recorded_after_the_view_leaves_it_in_the_report(world, child):
    """The view was unexplained when it was made (the misuse rule judged it so): an involvement recorded
    afterwards must not wipe it from the LA team's report."""
    viewed(child, world.alice)
    involved(child, world.alice)
    assert [e.actor_id for e in _unexplained(world)] == [world.alice.pk]


def test_the_la_team_sees_views_of_its_children_and_by_its_staff_only(world, child):
    south_child = make_child(world, given_names="Noah", family_name="Begum", la=world.south)
    viewed(child, world.bob)  # a North child, viewed by South staff
    viewed(south_child, world.alice)  # a South child, viewed by North staff
    viewed(south_child, world.olivia)  # South and South: not North's business
    north = {(e.actor_id, e.child_id) for e in _unexplained(world, world.lena)}
    assert north == {(world.bob.pk, child.pk), (world.alice.pk, south_child.pk)}
    assert len(_unexplained(world, world.nadia)) == 3


def test_the_unexplained_page_lists_the_view_with_index_number_and_is_audited(world, child):
    viewed(child, world.bob)
    page = signed_in(world.lena).get(reverse("audit:unexplained")).content.decode()
    assert child.index_number[:3] in page
    assert "Bob Example" in page
    assert AuditEvent.objects.filter(tag=AuditTag.ReportViewed, additional__report="unexplained").count() == 1


def test_every_search_writes_one_appearance_per_returned_child_in_its_transaction(world, child):
    searched(world.bob)
    search = AuditEvent.objects.get(tag=AuditTag.SearchPerformed)
    rows = list(SearchAppearance.objects.values_list("event_id", "actor_id", "child_id"))
    assert rows == [(search.pk, world.bob.pk, child.pk)]


def test_duplicate_result_ids_are_indexed_once(world, child):
    event_record(
        tag=AuditTag.SearchPerformed, actor=world.bob, additional={"result_ids": [str(child.pk)] * 2}
    )
    assert SearchAppearance.objects.count() == 1


def test_the_search_index_can_be_rebuilt_from_the_log(world, child):
    searched(world.bob)
    searched(world.alice)
    with triggers_bypassed():  # append-only on PostgreSQL: only a superuser could do this
        SearchAppearance.objects.all().delete()
    viewed(child, world.bob)
    assert len(_unexplained(world)) == 1
    assert search_appearances_rebuild() == 2
    assert _unexplained(world) == []
