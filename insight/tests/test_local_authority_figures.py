"""The LA team's management information: its own LA only, suppressed, charted, downloadable, audited."""

import re

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from coordination.statistics import SUPPRESSED, WITHHELD
from insight.tests.support import csv_rows, events, month_ago, row_figures, table_html
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in
from tests.personas import make_child, make_user


def test_the_la_team_sees_its_own_figures_suppressed_and_rounded_by_month(world):
    north_child = make_child(world)
    south_child = make_child(world, given_names="Oscar", la=world.south, postcode="LS9 1AA")
    events(13, tag=AuditTag.RecordViewed, actor=world.alice, child=north_child, month=month_ago(2))
    events(4, tag=AuditTag.RecordViewed, actor=world.alice, child=north_child, month=month_ago(1))
    events(30, tag=AuditTag.RecordViewed, actor=world.bob, child=south_child, month=month_ago(1))
    page = signed_in(world.lena).get(reverse("insight:local")).content.decode()
    access = row_figures(table_html(page, "mi-4"), "Your children&#x27;s records opened")
    assert len(access) == 13  # twelve complete months and the period's total
    # 13 -> 15; 4 hidden; the total (17) withheld: with it, 17 - 13 gives back 4 as the sum of the hidden
    # months (hidden zeros do not cover a small sum), were the total and the 13 exact
    assert access[-3:] == ["15", SUPPRESSED, WITHHELD]
    assert "30" not in access and "Northshire Council" in page and "Southborough Council" not in page


def test_a_row_total_that_would_give_back_a_small_month_withholds_the_next_smallest_month(world):
    north_child = make_child(world)
    events(12, tag=AuditTag.RecordViewed, actor=world.alice, child=north_child, month=month_ago(3))
    events(25, tag=AuditTag.RecordViewed, actor=world.alice, child=north_child, month=month_ago(2))
    page = signed_in(world.lena).get(reverse("insight:local")).content.decode()
    access = row_figures(table_html(page, "mi-4"), "Your children&#x27;s records opened")
    # the zero months are hidden already (fewer than 10), so the total of 37 gives none of them back
    # exactly; but shown as 35 (at most 37) less the 12 and 25 (at least 10 and 23) it would prove each of
    # them at most 4, not anything from 0 to 9: the total is withheld
    assert access[-4:] == ["10", "25", SUPPRESSED, WITHHELD]


def test_alerts_by_kind_are_counted_for_the_teams_own_la_only(world):
    from insight.tests.support import during, row_figures, table_html

    with during(month_ago(1)):
        for _ in range(11):
            Alert.objects.create(
                local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice
            )
        for _ in range(20):
            Alert.objects.create(
                local_authority=world.south, kind=AlertKind.BULK_VIEWING, raised_by=world.bob
            )
    page = signed_in(world.lena).get(reverse("insight:local")).content.decode()
    bulk = row_figures(table_html(page, "mi-3"), AlertKind.BULK_VIEWING.label)
    # 11 -> 10 in its month (last month, the last complete one); the kind's total is withheld (10 less 10
    # would bound the other months at 2); south's 20 is not north's
    assert bulk[-3:] == [SUPPRESSED, "10", WITHHELD] and "20" not in bulk


def test_today_counts_children_shielded_records_and_active_involvements_without_naming_anyone(world):
    for n in range(11):
        make_child(world, given_names=f"Child{chr(65 + n)}", postcode="LS2 7EW")
    make_child(world, given_names="Jasmine", shielded=True)
    page = signed_in(world.lena).get(reverse("insight:local")).content.decode()
    today = table_html(page, "mi-1")
    assert row_figures(today, "Children on the index") == ["10"]  # 12 -> 10
    assert row_figures(today, "Shielded records") == [SUPPRESSED]
    assert "Jasmine" not in page and "Thornton" not in page and "ChildA" not in page


def test_each_table_has_a_chart_drawn_on_the_page_with_a_title_and_a_description(world):
    north_child = make_child(world)
    events(13, tag=AuditTag.RecordViewed, actor=world.alice, child=north_child, month=month_ago(1))
    page = signed_in(world.lena).get(reverse("insight:local")).content.decode()
    chart = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="cp-chart" role="img"[^>]*>', page)
    assert chart is not None and 'aria-labelledby="mi-4-chart-title mi-4-chart-desc"' in chart.group(0)
    assert '<title id="mi-4-chart-title">Chart: Access by month</title>' in page
    assert '<desc id="mi-4-chart-desc">Bar chart of the table that follows.' in page
    svg = page[chart.start() : page.index("</svg>", chart.start())]
    bars = re.findall(r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"', svg)
    assert len(bars) == 1 and float(bars[0]) > 0  # one published month of record views: 15
    assert "Your children&#x27;s records opened" in svg and "Searches" not in svg  # nothing of it drawn
    # tables whose every figure is hidden say so instead of drawing empty axes
    assert all(f'id="mi-{n}-no-chart"' in page for n in (1, 2, 3))
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]  # drawn, not scripted


def test_a_chosen_period_shows_that_many_months_and_an_unknown_one_the_usual_twelve(world):
    client = signed_in(world.lena)
    three = table_html(client.get(reverse("insight:local"), {"months": "3"}).content.decode(), "mi-2")
    assert len(row_figures(three, "Involvements recorded")) == 4
    odd = table_html(client.get(reverse("insight:local"), {"months": "7"}).content.decode(), "mi-2")
    assert len(row_figures(odd, "Involvements recorded")) == 13


def test_viewing_and_downloading_are_audited_and_the_csv_holds_the_pages_figures(world):
    north_child = make_child(world)
    events(13, tag=AuditTag.RecordViewed, actor=world.alice, child=north_child, month=month_ago(1))
    client = signed_in(world.lena)
    client.get(reverse("insight:local"), {"months": "6"})
    viewed = AuditEvent.objects.get(tag=AuditTag.InsightViewed, actor=world.lena)
    assert viewed.additional["scope"] == "local_authority" and viewed.additional["months"] == 6
    answer = client.get(reverse("insight:local_csv"), {"months": "6"})
    assert (
        answer["Content-Type"] == "text/csv; charset=utf-8" and "attachment" in answer["Content-Disposition"]
    )
    downloaded = AuditEvent.objects.get(tag=AuditTag.InsightDownloaded, actor=world.lena)
    assert downloaded.additional["scope"] == "local_authority"
    rows = csv_rows(answer.content)
    opened = [r for r in rows if r["row"] == "Your children's records opened"]
    # last month's 13 is shown as 15; the total (13) is withheld: less the month's 15 it would bound the
    # other months at 4
    assert [r["figure"] for r in opened][-3:] == [SUPPRESSED, "15", WITHHELD]
    assert {r["table"] for r in rows} == {
        "Today",
        "Records and involvements by month",
        "Alerts by kind and month",
        "Access by month",
    }
    assert "Thornton" not in answer.content.decode() and "alice" not in answer.content.decode()


def test_the_csv_is_refused_to_a_practitioner_and_the_refusal_is_audited(world):
    answer = signed_in(world.alice).get(reverse("insight:local_csv"))
    assert answer.status_code == 403 and b"Your role does not allow this" in answer.content
    assert not AuditEvent.objects.filter(tag=AuditTag.InsightDownloaded).exists()
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.alice).count() == 1


def test_another_las_team_sees_its_own_figures_never_the_first_las(world):
    stella = make_user("stella", world.south, "la_team")
    north_child = make_child(world)
    events(40, tag=AuditTag.RecordViewed, actor=world.alice, child=north_child, month=month_ago(1))
    page = signed_in(stella).get(reverse("insight:local")).content.decode()
    assert "Southborough Council" in page and "Northshire Council" not in page
    assert (
        row_figures(table_html(page, "mi-4"), "Your children&#x27;s records opened")[-2] == SUPPRESSED
    )  # south's 0 last month


def test_the_number_of_queries_does_not_grow_with_the_number_of_children(
    world, django_assert_max_num_queries
):
    client = signed_in(world.lena)
    client.get(reverse("insight:local"))  # warm: sessions, the account guard
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("insight:local"))
    for n in range(8):
        child = make_child(world, given_names=f"Child{chr(65 + n)}")
        events(2, tag=AuditTag.RecordViewed, actor=world.alice, child=child, month=month_ago(1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("insight:local"))
