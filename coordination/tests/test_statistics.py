"""The LA team's match counts, with small numbers suppressed."""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from coordination.models import Match, MatchKind
from coordination.statistics import SUPPRESSED, suppressed
from coordination.tests.support import record, school_teacher
from tests.journeys import signed_in
from tests.personas import make_child


def test_counts_under_ten_are_suppressed_and_others_rounded_to_five():
    assert [suppressed(n) for n in (0, 1, 9)] == [SUPPRESSED] * 3
    assert [suppressed(n) for n in (10, 12, 13, 17, 18, 102)] == ["10", "10", "15", "15", "20", "100"]


def test_the_la_team_sees_its_counts_suppressed_and_the_view_is_audited(world):
    carol = school_teacher(world)
    for n in range(12):
        child = make_child(world, given_names=f"Child{chr(65 + n)}", postcode="LS2 7EW")
        record(child, world.alice)
        record(child, carol)
    assert Match.objects.filter(kind=MatchKind.CLIENT).count() == 12
    page = signed_in(world.lena).get(reverse("coordination:statistics")).content.decode()
    rows = page[page.index('id="match-counts"') :]
    assert '<td class="govuk-table__cell">10</td>' in rows
    assert SUPPRESSED in rows  # family matches (the children share a carer) and ended ones
    assert "12" not in rows
    assert AuditEvent.objects.filter(tag=AuditTag.MatchStatisticsViewed, actor=world.lena).count() == 1


def test_practitioners_cannot_see_the_counts(world):
    assert signed_in(world.alice).get(reverse("coordination:statistics")).status_code == 403
