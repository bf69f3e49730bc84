"""A reader of a published table who knows what the page says each figure means, and nothing else.

Written apart from `coordination.statistics` (it reads only the text of each figure), so the tests check
the module's protection, not its own arithmetic:

- a figure shown is the true count rounded to the nearest 5, and only counts of 10 or more are shown:
  a shown r is between max(r - 2, 10) and r + 2;
- "Fewer than 10" is 0 to 9;
- "Withheld" in the body of the table is 10 or more (every count under 10 there says "Fewer than 10");
- "Withheld" as a total may be any count (small totals are withheld too);
- every published line (a row or column with its total, and the totals' own row and column) is a sum.

It narrows each count by each sum (at least the sum's least less the others' most, at most the sum's
most less the others' least) until nothing changes. Every bound it ends with is proved by the page.
"""

import math

from coordination.statistics import ROUND_TO, SUPPRESSED, THRESHOLD, WITHHELD, Key, SuppressedTable

HALF = ROUND_TO // 2
Bounds = tuple[int, float]


def _figures(table: SuppressedTable) -> dict[Key, tuple[str, bool]]:
    """Every entry's text and whether it is a total, keyed (row, column), the totals row and column last."""
    n_rows, n_cols = len(table.row_labels), len(table.column_labels)
    shown = {(i, j): (table.cells[i][j].text, False) for i in range(n_rows) for j in range(n_cols)}
    if table.row_totals is not None:
        shown |= {(i, n_cols): (c.text, True) for i, c in enumerate(table.row_totals)}
    if table.column_totals is not None:
        shown |= {(n_rows, j): (c.text, True) for j, c in enumerate(table.column_totals)}
    if table.grand_total is not None:
        shown[(n_rows, n_cols)] = (table.grand_total.text, True)
    return shown


def meaning(text: str, *, total: bool) -> Bounds:
    if text == SUPPRESSED:
        return (0, THRESHOLD - 1)
    if text == WITHHELD:
        return (0, math.inf) if total else (THRESHOLD, math.inf)
    figure = int(text)
    return (max(figure - HALF, THRESHOLD), figure + HALF)


def sums_of(table: SuppressedTable) -> list[tuple[list[Key], Key]]:
    """Each published sum: the keys it adds up and the key of its total."""
    n_rows, n_cols = len(table.row_labels), len(table.column_labels)
    both = table.row_totals is not None and table.column_totals is not None
    sums: list[tuple[list[Key], Key]] = []
    if table.row_totals is not None:
        sums += [([(i, j) for j in range(n_cols)], (i, n_cols)) for i in range(n_rows)]
    if table.column_totals is not None:
        sums += [([(i, j) for i in range(n_rows)], (n_rows, j)) for j in range(n_cols)]
    if both:
        sums += [([(n_rows, j) for j in range(n_cols)], (n_rows, n_cols))]
        sums += [([(i, n_cols) for i in range(n_rows)], (n_rows, n_cols))]
    return sums


def narrow(bounds: dict[Key, Bounds], sums: list[tuple[list[Key], Key]]) -> dict[Key, Bounds]:
    """Every bound the sums prove, to a fixpoint (plain loops: this is the check, not the module)."""
    bounds = dict(bounds)
    changed = True
    while changed:
        changed = False
        for members, total in sums:
            for key in members:
                others = [bounds[k] for k in members if k != key]
                at_least = bounds[total][0] - sum(high for _, high in others)
                at_most = bounds[total][1] - sum(low for low, _ in others)
                low, high = bounds[key]
                new = (max(low, int(at_least) if at_least > -math.inf else low), min(high, at_most))
                if new != (low, high):
                    bounds[key], changed = new, True
            low, high = bounds[total]
            new = (
                max(low, sum(bounds[k][0] for k in members)),
                min(high, sum(bounds[k][1] for k in members)),
            )
            if new != (low, high):
                bounds[total], changed = new, True
    return bounds


def what_a_reader_works_out(table: SuppressedTable) -> dict[Key, Bounds]:
    figures = _figures(table)
    bounds = {key: meaning(text, total=total) for key, (text, total) in figures.items()}
    return narrow(bounds, sums_of(table))


def hidden_small_narrowed(table: SuppressedTable, truth: dict[Key, int]) -> dict[Key, Bounds]:
    """Hidden counts under 10 that the reader shows to be other than "anything from 0 to 9": proved not
    to be 0, or proved under some smaller number."""
    worked_out = what_a_reader_works_out(table)
    figures = _figures(table)
    return {
        key: (low, high)
        for key, (low, high) in worked_out.items()
        if figures[key][0] in (SUPPRESSED, WITHHELD) and truth[key] < THRESHOLD
        if low > 0 or high < THRESHOLD - 1
    }
