"""The LA team's page counts break-glass uses twice: as the alerts table's "Shielded record opened in an
emergency" row (one alert per override, to the child's LA team) and as the access table's "Your shielded
records opened in an emergency" row (the overrides of the LA's children). Each table is suppressed on its
own, so a month one table withholds (not small itself) the other may show, and then one table's total
less the other's shown months gives back a small count that neither table gives back alone.
"""

from fractions import Fraction

from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.tags import AuditTag
from coordination.statistics import ROUND_TO, SUPPRESSED, THRESHOLD, WITHHELD, table_suppress
from insight.figures import hidden_alike
from insight.tests.support import csv_rows, during, events, month_ago, row_figures, table_html
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in

HALF = ROUND_TO // 2
ALERTS_ROW = AlertKind.SHIELD_OVERRIDE.label
ACCESS_ROW = "Your shielded records opened in an emergency"


def _alerts(n: int, *, kind: AlertKind, world, months_ago: int) -> None:
    raised_by = world.olivia if kind == AlertKind.SHIELD_OVERRIDE else world.alice
    with during(month_ago(months_ago)):
        for _ in range(n):
            Alert.objects.create(local_authority=world.north, kind=kind, raised_by=raised_by)


def _overrides(n: int, *, world, child, months_ago: int) -> None:
    """n emergency openings of the child's record that month: the audit event and the alert each writes."""
    events(n, tag=AuditTag.ShieldOverridden, actor=world.olivia, child=child, month=month_ago(months_ago))
    _alerts(n, kind=AlertKind.SHIELD_OVERRIDE, world=world, months_ago=months_ago)


def _what_a_reader_works_out(months: list[tuple[str, str]], totals: list[str]) -> list[tuple[int, int]]:
    """Each month is read from whichever table shows it; each published total, less those months, bounds
    the sum of the months neither table shows (every shown figure is the true one rounded to 5)."""
    shown = [int(a) if a.isdigit() else int(b) for a, b in months if a.isdigit() or b.isdigit()]
    bounds = []
    for total in (t for t in totals if t.isdigit()):
        low = (int(total) - HALF) - sum(v + HALF for v in shown)
        high = (int(total) + HALF) - sum(max(v - HALF, THRESHOLD) for v in shown)
        bounds.append((max(low, 0), high))
    return bounds


def test_a_month_one_table_withholds_is_withheld_in_the_other_table_counting_the_same_overrides(
    world, shielded_child
):
    # The last 3 complete months: break-glass uses 0, 3, 10; own-surname alerts 10, 13, 0 (colleagues
    # called Example).
    _overrides(3, world=world, child=shielded_child, months_ago=2)
    _overrides(10, world=world, child=shielded_child, months_ago=1)
    _alerts(10, kind=AlertKind.OWN_SURNAME_SEARCH, world=world, months_ago=3)
    _alerts(13, kind=AlertKind.OWN_SURNAME_SEARCH, world=world, months_ago=2)
    client = signed_in(world.lena)
    page = client.get(reverse("insight:local"), {"months": "3"}).content.decode()
    *alert_months, alert_total = row_figures(table_html(page, "mi-3"), ALERTS_ROW)
    *access_months, access_total = row_figures(table_html(page, "mi-4"), ACCESS_ROW)
    assert len(alert_months) == len(access_months) == 3

    # Either table alone gives nothing small back, and the 3 stays hidden in both ...
    assert alert_months[1] == access_months[1] == SUPPRESSED
    # ... and together they do not either (before: alerts table <10, <10, Withheld, total 15; access
    # table <10, <10, 10, total Withheld: 15 - 10 put 1 to 7 uses in the two hidden months).
    read = list(zip(alert_months, access_months, strict=True))
    for low, high in _what_a_reader_works_out(read, [alert_total, access_total]):
        assert not (low >= 1 and high < THRESHOLD), (
            f"alerts table {alert_months} total {alert_total}, access table {access_months} total "
            f"{access_total}: the months neither shows add up to {low} to {high} uses"
        )
    # A month is shown in both tables or in neither, and so is the period's total.
    assert [a.isdigit() for a in alert_months] == [b.isdigit() for b in access_months]
    assert alert_total.isdigit() == access_total.isdigit()
    assert WITHHELD in alert_months + access_months + [alert_total, access_total]

    # The CSV says what the page says.
    rows = csv_rows(client.get(reverse("insight:local_csv"), {"months": "3"}).content)
    in_csv = {
        (row["table"], row["row"], row["column"]): row["figure"]
        for row in rows
        if row["row"] in (ALERTS_ROW, ACCESS_ROW)
    }
    assert [v for (_, r, _), v in in_csv.items() if r == ALERTS_ROW] == [*alert_months, alert_total]
    assert [v for (_, r, _), v in in_csv.items() if r == ACCESS_ROW] == [*access_months, access_total]


class Published:
    """What a reader can work out from published figures taken as exact (the strict model): exactly the
    sums of unknowns in the span of the equations (kept in reduced row echelon form)."""

    def __init__(self, equations: list[dict[int, int]], n: int) -> None:
        rows = [[Fraction(eq.get(k, 0)) for k in range(n)] for eq in equations]
        self.pivots: list[int] = []
        r = 0
        for c in range(n):
            p = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
            if p is None:
                continue
            rows[r], rows[p] = rows[p], rows[r]
            rows[r] = [x / rows[r][c] for x in rows[r]]
            for i in range(len(rows)):
                if i != r and rows[i][c] != 0:
                    f = rows[i][c]
                    rows[i] = [a - f * b for a, b in zip(rows[i], rows[r], strict=True)]
            self.pivots.append(c)
            r += 1
        self.rows, self.n = rows[:r], n

    def fixes(self, unknowns: set[int]) -> bool:
        """Whether the published figures fix the sum of these unknowns exactly."""
        rest = [Fraction(1 if k in unknowns else 0) for k in range(self.n)]
        for row, c in zip(self.rows, self.pivots, strict=True):
            if rest[c] != 0:
                f = rest[c]
                rest = [a - f * b for a, b in zip(rest, row, strict=True)]
        return not any(rest)


def _equations(table, unknown) -> list[dict[int, int]]:
    """One equation per published figure of `table`; unknown(i, j) numbers the true count of a cell."""
    n_rows, n_cols = len(table.cells), len(table.column_labels)
    found = []
    for i, row in enumerate(table.cells):
        found += [{unknown(i, j): 1} for j, cell in enumerate(row) if not cell.hidden]
        if table.row_totals is not None and not table.row_totals[i].hidden:
            found.append({unknown(i, j): 1 for j in range(n_cols)})
    for j, cell in enumerate(table.column_totals or []):
        if not cell.hidden:
            found.append({unknown(i, j): 1 for i in range(n_rows)})
    if table.grand_total is not None and not table.grand_total.hidden:
        found.append({unknown(i, j): 1 for i in range(n_rows) for j in range(n_cols)})
    return found


counts = st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 30))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n_months=st.sampled_from([3, 6]))
def test_the_two_tables_together_give_back_no_small_count_that_neither_gives_alone(data, n_months):
    kinds = list(AlertKind)
    row = kinds.index(AlertKind.SHIELD_OVERRIDE)
    months = [f"m{j}" for j in range(n_months)]
    overrides = data.draw(st.lists(counts, min_size=n_months, max_size=n_months))
    other_kinds = data.draw(
        st.lists(
            st.lists(st.one_of(st.just(0), counts), min_size=n_months, max_size=n_months),
            min_size=len(kinds) - 1,
            max_size=len(kinds) - 1,
        )
    )
    alert_values = [*other_kinds[:row], overrides, *other_kinds[row:]]
    other_access = data.draw(
        st.lists(st.lists(counts, min_size=n_months, max_size=n_months), min_size=2, max_size=2)
    )
    access_values = [*other_access, overrides]
    alerts = table_suppress(
        title="a",
        row_heading="k",
        row_labels=[k.label for k in kinds],
        column_labels=months,
        values=alert_values,
    )
    access = table_suppress(
        title="b",
        row_heading="m",
        row_labels=["s", "o", ACCESS_ROW],
        column_labels=months,
        values=access_values,
        row_totals=True,
        column_totals=False,
    )
    alerts, access = hidden_alike(alerts, row, access, 2)

    # Unknowns: every alert count, then the access table's own two rows; its third row is the overrides.
    n_alerts = len(kinds) * n_months

    def in_alerts(i: int, j: int) -> int:
        return i * n_months + j

    def in_access(i: int, j: int) -> int:
        return in_alerts(row, j) if i == 2 else n_alerts + i * n_months + j

    published = Published(
        _equations(alerts, in_alerts) + _equations(access, in_access), n_alerts + 2 * n_months
    )
    truth = {in_alerts(i, j): v for i, r in enumerate(alert_values) for j, v in enumerate(r)}
    truth |= {in_access(i, j): v for i, r in enumerate(access_values) for j, v in enumerate(r)}
    # Each line of either table (a row, a column of the alerts table): the hidden figures on it, one at
    # a time and all together, must not come to a small count the two tables fix.
    lines = [[in_alerts(i, j) for j in range(n_months)] for i in range(len(kinds))]
    lines += [[in_alerts(i, j) for i in range(len(kinds))] for j in range(n_months)]
    lines += [[in_access(i, j) for j in range(n_months)] for i in range(2)]
    shown = {k for k in truth if published.fixes({k}) and truth[k] >= THRESHOLD}
    for line in lines:
        hidden = {k for k in line if k not in shown}
        for group in [{k} for k in hidden] + [hidden]:
            total = sum(truth[k] for k in group)
            assert not (0 < total < THRESHOLD and published.fixes(group)), (
                f"the two tables together fix {total} ({alert_values=}, {access_values=})"
            )
    assert [c.hidden != "" for c in alerts.cells[row]] == [c.hidden != "" for c in access.cells[2]]
