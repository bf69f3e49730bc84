"""The LA team's match counts: a match is current only while both involvements are current and both
records are active, as everywhere else a match is judged current (the inbox, the brokering page, telling
a withheld match late). A match on a record since archived, or closed for a new identity, is no longer
current: it used to be counted as current, so the figure an auditor reads overstated the matches in
force (and a closed identity's matches counted beside the new identity's)."""

from datetime import date

from django.urls import reverse

from children.models import Child, RecordStatus
from children.records import Address, CarerDetails, ChildDetails, Gender
from children.services import child_create
from coordination.models import Match, MatchKind
from coordination.selectors import match_counts
from coordination.tests.support import record, school_teacher
from tests.journeys import signed_in
from tests.pages import rendered


def _unrelated_child(world, n: int) -> Child:
    """A child with a carer of their own, so the children make client matches only."""
    details = ChildDetails(
        given_names=f"Child{chr(65 + n)}",
        family_name="Example",
        gender=Gender.FEMALE,
        date_of_birth=date(2015, 3, 4),
        address=Address(lines=[f"{n + 1} Quarry Lane", "Leeds"], postcode="LS2 7EW"),
    )
    carer = CarerDetails(name=f"Carer{chr(65 + n)} Example", relationship="mother", phone=f"07700 900{n:03}")
    return child_create(local_authority=world.north, details=details, carers=[carer])


def _client_row(page: str) -> list[str]:
    table = page[page.index('id="match-counts"') :]
    row = table[table.index("Client match") :]
    cells = row.split('<td class="govuk-table__cell">')[1:3]
    return [cell.split("</td>")[0] for cell in cells]


def test_matches_on_archived_or_closed_records_are_not_counted_as_current(world):
    carol = school_teacher(world)
    children = [_unrelated_child(world, n) for n in range(15)]
    for child in children:
        record(child, world.alice)
        record(child, carol)
    assert Match.objects.filter(kind=MatchKind.CLIENT).count() == 15
    assert not Match.objects.filter(kind=MatchKind.FAMILY).exists()
    archived, closed = children[:3], children[3:5]
    Child.objects.filter(pk__in=[c.pk for c in archived]).update(status=RecordStatus.ARCHIVED)
    Child.objects.filter(pk__in=[c.pk for c in closed]).update(status=RecordStatus.CLOSED)

    counts = match_counts(local_authority_id=world.north.pk)
    assert counts[MatchKind.CLIENT] == {"current": 10, "ended": 5}

    page = rendered(
        signed_in(world.lena).get(reverse("coordination:statistics")),
        heading="Matches in your local authority",
    )
    assert _client_row(page) == ["10", "Fewer than 10"]
    assert "archived or closed" in page  # the page says what "current" leaves out
