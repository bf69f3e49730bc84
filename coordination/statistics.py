"""Small-number suppression for management information: a count can point at a family.

The one place every published count passes through (the LA team's match counts, the management
information pages and their CSV files).

Primary suppression: cells under 10 are shown as "Fewer than 10"; others are rounded to the nearest 5,
so differences between two tables cannot recover a small count either.

Secondary suppression: a table that also publishes row or column totals could give a hidden cell back
by subtraction (a row total of 40 and published cells 15 and 20 leave the hidden one at 5). Think of
each published line (a row or a column with its total) as a sum that must hold; a hidden cell can be
worked out exactly from the published figures, by any combination of those sums, exactly when it is a
*bridge* in the graph whose vertices are the lines and whose edges are the hidden entries (totals
included): an edge on a cycle can be moved up on one line and down on the next without changing any
sum, a bridge cannot. So hidden entries are added (smallest first, from the lines of the exposed one)
until no hidden entry is a bridge. A line's total less its shown figures also gives back the *sum* of its
hidden entries, which hidden zeros do not cover: where that sum is a small count (1 to 9), the line's
total is withheld too, and the bridges checked again. Totals are computed from the true values and then rounded or hidden
like any cell. A line whose total is not published is no sum at all: its ends join one unconstrained
"ground" vertex.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

SUPPRESSED = "Fewer than 10"
WITHHELD = "Withheld"  # not small itself, hidden so that a total cannot give a small one back
THRESHOLD = 10
SHORT = {SUPPRESSED: "<10"}
ROUND_TO = 5

Key = tuple[int, int]  # (row, column); row == len(rows) is the totals row, column == len(columns) the totals
Vertex = tuple[str, int]
GROUND: Vertex = ("ground", 0)


def rounded(count: int) -> int:
    """To the nearest 5 (counts are whole numbers, so there is never a tie to break)."""
    return ROUND_TO * round(count / ROUND_TO)


def suppressed(count: int) -> str:
    """One figure on its own (no total beside it): fewer than 10, or rounded to 5."""
    if count < THRESHOLD:
        return SUPPRESSED
    return str(rounded(count))


@dataclass(frozen=True)
class Cell:
    """One published figure: the rounded count, or why it is hidden (never the true count)."""

    value: int | None
    hidden: str = ""

    @property
    def text(self) -> str:
        return self.hidden or str(self.value)

    @property
    def short(self) -> str:
        """What a crowded table shows (the full `text` goes beside it for screen readers)."""
        return SHORT.get(self.hidden, self.text)


@dataclass(frozen=True)
class SuppressedTable:
    """What may be published of a table of counts: rows x columns, with the totals asked for."""

    title: str
    row_heading: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[Cell]]
    row_totals: list[Cell] | None
    column_totals: list[Cell] | None
    grand_total: Cell | None

    @property
    def any_hidden(self) -> bool:
        every = [c for row in self.cells for c in row]
        every += [*(self.row_totals or []), *(self.column_totals or [])]
        every += [self.grand_total] if self.grand_total else []
        return any(c.hidden for c in every)


def table_entries(
    values: Sequence[Sequence[int]], *, row_totals: bool, column_totals: bool
) -> dict[Key, int]:
    """Every figure a table publishes, true values: the cells and the totals asked for."""
    n_rows = len(values)
    n_cols = len(values[0]) if values else 0
    entries = {(i, j): int(values[i][j]) for i in range(n_rows) for j in range(n_cols)}
    if row_totals:
        entries |= {(i, n_cols): sum(values[i]) for i in range(n_rows)}
    if column_totals:
        entries |= {(n_rows, j): sum(values[i][j] for i in range(n_rows)) for j in range(n_cols)}
    if row_totals and column_totals:
        entries[(n_rows, n_cols)] = sum(sum(row) for row in values)
    return entries


def entry_ends(
    key: Key, *, n_rows: int, n_cols: int, row_totals: bool, column_totals: bool
) -> tuple[Vertex, Vertex]:
    """The two lines (sums) an entry belongs to; a line whose total is not published is ground."""
    i, j = key
    both = row_totals and column_totals
    row_line = row_totals if i < n_rows else both
    column_line = column_totals if j < n_cols else both
    return (("row", i) if row_line else GROUND, ("column", j) if column_line else GROUND)


def bridges(edges: dict[Key, tuple[Vertex, Vertex]]) -> list[Key]:
    """The edges on no cycle (Tarjan, iterative; a multigraph, self-loops allowed), sorted."""
    adjacent: dict[Vertex, list[tuple[Vertex, Key]]] = {}
    for key, (a, b) in edges.items():
        adjacent.setdefault(a, []).append((b, key))
        adjacent.setdefault(b, []).append((a, key))
    order: dict[Vertex, int] = {}
    low: dict[Vertex, int] = {}
    found: list[Key] = []
    for root in adjacent:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack: list[tuple[Vertex, Key | None, int]] = [(root, None, 0)]
        while stack:
            vertex, via, position = stack[-1]
            if position < len(adjacent[vertex]):
                stack[-1] = (vertex, via, position + 1)
                neighbour, key = adjacent[vertex][position]
                if key == via:
                    continue
                if neighbour in order:
                    low[vertex] = min(low[vertex], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = len(order)
                    stack.append((neighbour, key, 0))
                continue
            stack.pop()
            if stack and via is not None:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[vertex])
                if low[vertex] > order[parent]:
                    found.append(via)
    return sorted(found)


def hidden_entries(
    values: Sequence[Sequence[int]], *, row_totals: bool = True, column_totals: bool = True
) -> dict[Key, str]:
    """Which entries to hide, and why: primary (under 10), then secondary until no hidden one is exposed
    and no published total gives back a small sum of its line's hidden entries."""
    n_rows = len(values)
    n_cols = len(values[0]) if values else 0
    entries = table_entries(values, row_totals=row_totals, column_totals=column_totals)
    ends = {
        key: entry_ends(key, n_rows=n_rows, n_cols=n_cols, row_totals=row_totals, column_totals=column_totals)
        for key in entries
    }
    table = _Lines(entries, ends, n_rows=n_rows, n_cols=n_cols)
    hidden = {key: SUPPRESSED for key, count in entries.items() if count < THRESHOLD}
    while True:
        _bridges_close(table, hidden)
        giving_back = _total_giving_back_a_small_sum(table, hidden)
        if giving_back is None:
            return hidden
        hidden[giving_back] = WITHHELD


@dataclass(frozen=True)
class _Lines:
    """A table's entries with, for each line (row or column sum), the entries on it: the searches below
    look along one line instead of across the whole table (a national table is 150 LAs x 24 months, and
    hundreds of entries are withheld one at a time)."""

    entries: dict[Key, int]
    ends: dict[Key, tuple[Vertex, Vertex]]
    n_rows: int
    n_cols: int
    on_line: dict[Vertex, list[Key]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, pair in self.ends.items():
            for end in dict.fromkeys(pair):
                if end != GROUND:
                    self.on_line.setdefault(end, []).append(key)


def _bridges_close(table: _Lines, hidden: dict[Key, str]) -> None:
    """Withhold shown entries until no hidden one is a bridge (one that the sums fix exactly)."""
    entries, ends = table.entries, table.ends
    while exposed := bridges({key: ends[key] for key in hidden}):
        key = exposed[0]
        if len(hidden) == len(entries):  # everything hidden already: nothing is left to give anything away
            return
        on_its_lines = {k for end in ends[key] if end != GROUND for k in table.on_line[end]}
        partners = [k for k in on_its_lines if k not in hidden] or [k for k in entries if k not in hidden]
        # The smallest figure first (it tells least); ties to cells before totals, then by position.
        partner = min(partners, key=lambda k: (entries[k], k[0] >= table.n_rows or k[1] >= table.n_cols, k))
        hidden[partner] = WITHHELD


def _total_giving_back_a_small_sum(table: _Lines, hidden: dict[Key, str]) -> Key | None:
    """A published line total from which subtracting the line's shown figures leaves a sum of its hidden
    entries between 1 and 9: a small count given back, although no one hidden entry is. Hidden zeros
    "cover" each other for the bridge test but not here (10, 5, 0, 0 with a total of 15 gives back 5).
    That total is the one to withhold: it is what gives the sum away, and the line's figures stay."""
    for line in dict.fromkeys(end for pair in table.ends.values() for end in pair if end != GROUND):
        kind, index = line
        total = (index, table.n_cols) if kind == "row" else (table.n_rows, index)
        if total in hidden or total not in table.entries:
            continue
        hidden_sum = sum(table.entries[k] for k in table.on_line[line] if k != total and k in hidden)
        if 0 < hidden_sum < THRESHOLD:
            return total
    return None


def table_suppress(
    *,
    title: str,
    row_heading: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[int]],
    row_totals: bool = True,
    column_totals: bool = True,
) -> SuppressedTable:
    """The publishable table: every figure rounded or hidden, totals from the true values."""
    n_rows, n_cols = len(row_labels), len(column_labels)
    if len(values) != n_rows or any(len(row) != n_cols for row in values):
        raise ValueError("one label for every row and every column of values")
    entries = table_entries(values, row_totals=row_totals, column_totals=column_totals)
    hidden = hidden_entries(values, row_totals=row_totals, column_totals=column_totals) if entries else {}

    def cell(key: Key) -> Cell:
        if key in hidden:
            return Cell(None, hidden[key])
        return Cell(rounded(entries[key]))

    return SuppressedTable(
        title=title,
        row_heading=row_heading,
        row_labels=list(row_labels),
        column_labels=list(column_labels),
        cells=[[cell((i, j)) for j in range(n_cols)] for i in range(n_rows)],
        row_totals=[cell((i, n_cols)) for i in range(n_rows)] if row_totals else None,
        column_totals=[cell((n_rows, j)) for j in range(n_cols)] if column_totals else None,
        grand_total=cell((n_rows, n_cols)) if row_totals and column_totals else None,
    )
