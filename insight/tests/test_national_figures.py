"""The national auditor's management information: every LA by month, suppressed, charted, audited."""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from coordination.statistics import SUPPRESSED, WITHHELD
from insight.tests.support import csv_rows, during, events, month_ago, row_figures, table_html
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in
from tests.personas import make_child

HIDDEN = (SUPPRESSED, WITHHELD)


def _agrees(figures: list[str], expected: list[str]) -> bool:
    """As expected, but a figure of 10 or more may be withheld (never shown as another number)."""
    return len(figures) == len(expected) and all(
        f == e or (f == WITHHELD and e != SUPPRESSED) for f, e in zip(figures, expected, strict=True)
    )


def test_break_glass_alerts_unexplained_views_and_refusals_are_counted_by_la_and_month(world):
    north_shielded = make_child(world, given_names="Jasmine", shielded=True)
    south_shielded = make_child(world, given_names="Priya", shielded=True, la=world.south, postcode="LS9 1AA")
    north_child, south_child = make_child(world), make_child(world, given_names="Oscar", la=world.south)
    events(12, tag=AuditTag.ShieldOverridden, actor=world.olivia, child=north_shielded, month=month_ago(1))
    events(20, tag=AuditTag.ShieldOverridden, actor=world.olivia, child=south_shielded, month=month_ago(1))
    # nobody searched for these children or recorded an involvement: every view is unexplained
    events(14, tag=AuditTag.RecordViewed, actor=world.alice, child=north_child, month=month_ago(2))
    events(27, tag=AuditTag.RecordViewed, actor=world.bob, child=south_child, month=month_ago(2))
    events(11, tag=AuditTag.AccessDenied, actor=world.bob, month=month_ago(1))
    events(18, tag=AuditTag.AccessDenied, actor=world.alice, month=month_ago(1))
    with during(month_ago(3)):
        for la, n in ((world.north, 10), (world.south, 16)):
            for _ in range(n):
                Alert.objects.create(local_authority=la, kind=AlertKind.OUT_OF_HOURS, raised_by=world.bob)
    page = signed_in(world.nadia).get(reverse("insight:national")).content.decode()
    overrides = table_html(page, "mi-1")
    # Each figure is the count rounded, or hidden: with two LAs, a month's total less one LA's figure (or
    # a row's total less its one busy month) would bound the other's zeros, so totals and some figures of
    # 10 or more are withheld too (interval protection); what is shown is the right count. The last
    # columns are two months ago, last month (the last complete one) and the period's total.
    assert _agrees(row_figures(overrides, "Northshire Council")[-3:], [SUPPRESSED, "10", "10"])
    assert _agrees(row_figures(overrides, "Southborough Council")[-3:], [SUPPRESSED, "20", "20"])
    assert _agrees(row_figures(overrides, "Total")[-3:], [WITHHELD, "30", "30"])  # 32, rounded
    alerts = table_html(page, "mi-2")
    assert _agrees(row_figures(alerts, "Northshire Council")[-4:], ["10", *[SUPPRESSED] * 2, "10"])
    assert _agrees(row_figures(alerts, "Southborough Council")[-4:], ["15", *[SUPPRESSED] * 2, "15"])
    unexplained = table_html(page, "mi-3")
    assert _agrees(row_figures(unexplained, "Northshire Council")[-3:], ["15", SUPPRESSED, "15"])
    assert _agrees(row_figures(unexplained, "Southborough Council")[-3:], ["25", SUPPRESSED, "25"])
    refusals = table_html(page, "mi-4")
    assert _agrees(row_figures(refusals, "Northshire Council")[-3:], [SUPPRESSED, "20", "20"])
    assert _agrees(row_figures(refusals, "Southborough Council")[-3:], [SUPPRESSED, "10", "10"])
    shown = [f for t in ("mi-1", "mi-2", "mi-3", "mi-4") for f in row_figures(table_html(page, t), "Total")]
    assert SUPPRESSED not in shown  # a hidden total is "Withheld", whatever its size
    for marker in ("Jasmine", "Priya", "Oscar", "Thornton", "olivia", "alice", "bob"):
        assert marker not in page


def test_one_las_count_alone_in_a_month_is_withheld_when_the_months_total_would_give_back_the_others(world):
    """South had no break-glass use in the month North had 12: with the total 12 published, 12 - 12 = 0."""
    north_shielded = make_child(world, given_names="Jasmine", shielded=True)
    events(12, tag=AuditTag.ShieldOverridden, actor=world.olivia, child=north_shielded, month=month_ago(1))
    page = signed_in(world.nadia).get(reverse("insight:national")).content.decode()
    overrides = table_html(page, "mi-1")  # last month: the last column before the total
    assert row_figures(overrides, "Southborough Council")[-2] == SUPPRESSED
    assert row_figures(overrides, "Northshire Council")[-2] == WITHHELD


def test_a_months_total_that_would_give_back_one_las_small_count_withholds_another_la_too(world):
    """North 3 and South 11 refusals in one month, total 14: with North alone hidden, 14 - 11 = 3."""
    events(11, tag=AuditTag.AccessDenied, actor=world.bob, month=month_ago(1))
    events(3, tag=AuditTag.AccessDenied, actor=world.alice, month=month_ago(1))
    page = signed_in(world.nadia).get(reverse("insight:national")).content.decode()
    refusals = table_html(page, "mi-4")  # last month: the last column before the total
    assert row_figures(refusals, "Northshire Council")[-2] == SUPPRESSED
    assert row_figures(refusals, "Southborough Council")[-2] == WITHHELD
    # the month's total (14, shown 15: at most 17) is withheld too: less South's withheld figure (10 or
    # more) it would put North's at most 7, not anything from 0 to 9
    assert row_figures(refusals, "Total")[-2] == WITHHELD


def test_the_national_csv_is_audited_and_no_published_line_has_a_lone_hidden_figure(world):
    events(11, tag=AuditTag.AccessDenied, actor=world.bob, month=month_ago(1))
    events(3, tag=AuditTag.AccessDenied, actor=world.alice, month=month_ago(1))
    events(25, tag=AuditTag.AccessDenied, actor=world.alice, month=month_ago(4))
    client = signed_in(world.nadia)
    client.get(reverse("insight:national"))
    assert (
        AuditEvent.objects.get(tag=AuditTag.InsightViewed, actor=world.nadia).additional["scope"]
        == "national"
    )
    answer = client.get(reverse("insight:national_csv"))
    assert (
        AuditEvent.objects.get(tag=AuditTag.InsightDownloaded, actor=world.nadia).additional["scope"]
        == "national"
    )
    rows = csv_rows(answer.content)
    for table in {r["table"] for r in rows}:
        figures = {(r["row"], r["column"]): r["figure"] for r in rows if r["table"] == table}
        lines = [{k: v for k, v in figures.items() if k[0] == row} for row in {k[0] for k in figures}]
        lines += [{k: v for k, v in figures.items() if k[1] == col} for col in {k[1] for k in figures}]
        for line in lines:
            assert sum(v in HIDDEN for v in line.values()) != 1, (table, line)
    assert "alice" not in answer.content.decode() and "bob" not in answer.content.decode()


def test_an_la_name_cannot_start_a_formula_in_a_spreadsheet_that_splits_cells_on_semicolons(world):
    """The CSV separates cells with ",", but a spreadsheet whose list separator is ";" splits there
    (Python's writer quotes a comma, not a semicolon): every part a ";" starts is made text too."""
    world.south.name = 'Southborough;=HYPERLINK("http://x.example")'
    world.south.save(update_fields=["name"])
    events(12, tag=AuditTag.AccessDenied, actor=world.bob, month=month_ago(1))

    answer = signed_in(world.nadia).get(reverse("insight:national_csv")).content.decode()

    assert "Southborough;'=HYPERLINK" in answer
    assert ";=" not in answer
