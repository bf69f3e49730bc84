"""A period table with no rows (the national tables before any LA exists, on a new installation) is
published with its totals, never a server error (a review's finding, session 36: `KeyError`)."""

from datetime import date

from django.urls import reverse

from accounts.models import Organisation, OrganisationKind
from coordination.statistics import WITHHELD
from insight.figures import period_last, period_suppress
from tests.journeys import signed_in


def test_a_period_table_with_no_rows_has_only_withheld_totals():
    for months in (3, 6, 12, 24):
        table = period_suppress(
            title="t",
            row_heading="r",
            row_labels=[],
            period=period_last(months, today=date(2026, 12, 7)),
            values=[],
        )
        assert table.cells == []
        assert table.column_totals is not None and len(table.column_totals) == months
        assert {cell.text for cell in table.column_totals} == {WITHHELD}


def test_the_national_page_with_no_local_authority_is_shown(world):
    auditor = world.nadia
    Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).update(kind=OrganisationKind.HEALTH)
    response = signed_in(auditor).get(reverse("insight:national"))
    assert response.status_code == 200
