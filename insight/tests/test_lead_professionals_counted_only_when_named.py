"""The LA's "Lead professionals recorded" counts namings only, never the clearing of one.

Clearing the lead professional ("None of these" on the record's page) writes the same audit entry as
naming one, with no involvement: counted, the row said a lead professional was recorded when none was,
so a month in which an LA team cleared as many leads as were named read as twice the leads recorded.
"""

from django.urls import reverse

from children.services import lead_professional_set
from coordination.tests.support import record
from insight.tests.support import csv_rows, during, month_ago, row_figures, table_html
from tests.journeys import signed_in

LEADS = "Lead professionals recorded"


def test_clearing_a_lead_professional_is_not_counted_as_one_recorded(world, child):
    with during(month_ago(1)):
        involvement = record(child, world.alice, role="Social worker")
        for _ in range(12):
            lead_professional_set(child=child, by=world.lena, involvement=involvement)
            lead_professional_set(child=child, by=world.lena, involvement=None)

    client = signed_in(world.lena)
    page = client.get(reverse("insight:local"), {"months": "3"}).content.decode()
    leads = row_figures(table_html(page, "mi-2"), LEADS)
    # last month (the last complete one, before the total): 12 namings (rounded to 10); the 12 clearings
    # named nobody: 24 would show as 25
    assert leads[-2] == "10" and "25" not in leads
    downloaded = csv_rows(client.get(reverse("insight:local_csv"), {"months": "3"}).content)
    assert [r["figure"] for r in downloaded if r["row"] == LEADS][-2] == "10"
