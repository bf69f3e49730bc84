"""A hidden small count must stay "anything from 0 to 9" to a reader who uses what the page says.

The exact-sum guarantee (no hidden figure is fixed by the published sums taken as exact) did not use
what the page tells a reader besides the sums: a shown figure is within 2 of the true count and at least
10, "Fewer than 10" is 0 to 9, a "Withheld" figure in the table is 10 or more, and no count is negative.
Plain arithmetic on those bounds pinned two break-glass counts on the national page, and proved a small
month to be 7 to 9 on an LA's page (a review's finding). The reader is `coordination.tests.interval_reader`.
"""

from django.urls import reverse

from audit.tags import AuditTag
from coordination.statistics import SUPPRESSED
from coordination.tests.interval_reader import hidden_small_narrowed, what_a_reader_works_out
from insight.figures import local_tables, national_tables, period_last
from insight.tests.support import events, month_ago, row_figures, table_html
from tests.journeys import signed_in
from tests.personas import make_child


def test_break_glass_counts_under_ten_on_the_national_page_stay_anything_from_0_to_9(world):
    """Northshire 6, 18, 9; Southborough 10, 18, 4 (the last 3 complete months, oldest first) were published
    as `<10, 20, <10, 35`, `Withheld, 20, <10, 30`, totals `15, 35, 15, 65`: South's last month is then
    exactly 4 (15 - 2 less 9 at least, 30 + 2 - 10 - 18 at most), and North's exactly 9."""
    north = make_child(world, given_names="Jasmine", shielded=True)
    south = make_child(world, given_names="Priya", shielded=True, la=world.south, postcode="LS9 1AA")
    for child, counts in ((north, (6, 18, 9)), (south, (10, 18, 4))):
        for back, n in zip((3, 2, 1), counts, strict=True):
            events(n, tag=AuditTag.ShieldOverridden, actor=world.olivia, child=child, month=month_ago(back))

    page = signed_in(world.nadia).get(reverse("insight:national") + "?months=3").content.decode()
    overrides = table_html(page, "mi-1")
    assert row_figures(overrides, "Northshire Council")[2] == SUPPRESSED
    assert row_figures(overrides, "Southborough Council")[2] == SUPPRESSED

    table = national_tables(period_last(3))[0]
    truth = {(0, 0): 6, (0, 1): 18, (0, 2): 9, (1, 0): 10, (1, 1): 18, (1, 2): 4}
    truth |= {(0, 3): 33, (1, 3): 32, (2, 0): 16, (2, 1): 36, (2, 2): 13, (2, 3): 65}
    worked_out = what_a_reader_works_out(table)
    assert worked_out[(0, 2)] != (9, 9) and worked_out[(1, 2)] != (4, 4)
    assert hidden_small_narrowed(table, truth) == {}


def test_two_small_months_beside_a_shown_one_are_not_proved_to_be_seven_to_nine_on_the_la_page(world):
    """9, 12, 9 emergency openings were published `<10, 10, <10` with a total of 30: 28 - 12 leaves the
    two hidden months at least 16 together, so each at least 7."""
    north = make_child(world, given_names="Jasmine", shielded=True)
    for back, n in zip((3, 2, 1), (9, 12, 9), strict=True):  # the last 3 complete months
        events(n, tag=AuditTag.ShieldOverridden, actor=world.olivia, child=north, month=month_ago(back))

    page = signed_in(world.lena).get(reverse("insight:local") + "?months=3").content.decode()
    row = row_figures(table_html(page, "mi-4"), "Your shielded records opened in an emergency")
    assert row[0] == SUPPRESSED and row[2] == SUPPRESSED

    access = local_tables(world.north.pk, period_last(3))[3]
    n = access.row_labels.index("Your shielded records opened in an emergency")
    truth = {(n, 0): 9, (n, 1): 12, (n, 2): 9, (n, 3): 30}
    worked_out = what_a_reader_works_out(access)
    assert worked_out[(n, 0)][0] == 0 and worked_out[(n, 2)][0] == 0, worked_out
    narrowed = hidden_small_narrowed(access, truth | {k: 10**6 for k in worked_out if k not in truth})
    assert narrowed == {}
