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

Interval protection: exact sums are not all a reader has. A shown figure is within 2 of its count and at
least 10, "Fewer than 10" is 0 to 9, a "Withheld" figure is 10 or more, and no count is negative: with
those bounds, totals can pin a hidden count or prove it above 0 without any hidden entry being a bridge.
So the figures as they would be published are narrowed by every published sum to a fixpoint (`narrow`)
and, while a hidden count under 10 is proved to be other than anything from 0 to 9, one more figure near
it is withheld (`_next_to`). Every hidden total is "Withheld", small ones too, so that a withheld total
says nothing of its size (`reader_bounds`).
"""

import math
from collections import deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

SUPPRESSED = "Fewer than 10"
WITHHELD = "Withheld"  # a cell: 10 or more, hidden so no total gives a small one back; a total: any count
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
    """Which entries to hide, and why: primary (under 10), then secondary until no hidden one is exposed,
    no published total gives back a small sum of its line's hidden entries, and no hidden small count is
    narrowed by what the page says its figures mean (`_narrowed_small`). A hidden total is "Withheld"
    whatever its size (see `reader_bounds`)."""
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
        if giving_back is not None:
            hidden[giving_back] = WITHHELD
            continue
        narrowed = _narrowed_small(table, hidden)
        if not narrowed or len(hidden) == len(entries):
            break
        # One more figure for each narrowed count whose lines got none yet this round (a national table
        # can have dozens: one at a time, each with its own propagation, took seconds).
        touched: set[Vertex] = set()
        for key, bounded_above in narrowed:
            lines = set(ends[key]) - {GROUND}
            if lines & touched:
                continue
            partner = _next_to(table, hidden, key, bounded_above)
            hidden[partner] = WITHHELD
            touched |= lines | set(ends[partner]) - {GROUND}
            if len(hidden) == len(entries):
                break
    return {key: WITHHELD if table.is_total(key) else why for key, why in hidden.items()}


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

    def is_total(self, key: Key) -> bool:
        return key[0] >= self.n_rows or key[1] >= self.n_cols

    def total_of(self, line: Vertex) -> Key:
        kind, index = line
        return (index, self.n_cols) if kind == "row" else (self.n_rows, index)

    def sums(self) -> list[tuple[list[Key], Key]]:
        """Each published line as the entries it adds up and its total."""
        found = []
        for line, keys in self.on_line.items():
            total = self.total_of(line)
            found.append(([k for k in keys if k != total], total))
        return found


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
        total = table.total_of(line)
        if total in hidden or total not in table.entries:
            continue
        hidden_sum = sum(table.entries[k] for k in table.on_line[line] if k != total and k in hidden)
        if 0 < hidden_sum < THRESHOLD:
            return total
    return None


# ---- interval protection: what the page says each figure means, not only the exact sums -----------------

K = TypeVar("K", bound=Hashable)
HALF = ROUND_TO // 2
UNBOUNDED = math.inf
Bounds = tuple[int, float]  # (at least, at most); at most may be unbounded


def reader_bounds(cell: Cell, *, total: bool) -> Bounds:
    """What the page tells a reader of one published entry, before any sum: a shown figure r is the true
    count rounded to 5 and only counts of 10 or more are shown (max(r - 2, 10) to r + 2); "Fewer than 10"
    is 0 to 9; "Withheld" in the body of a table is 10 or more (every count under 10 there is "Fewer than
    10", so the label says so whatever the page's words); a "Withheld" total may be anything, as every
    hidden total is "Withheld", small ones too. Were a hidden total known to be 10 or more, a line of two
    small figures with it would prove each of them at least 1 however much else was withheld."""
    if cell.hidden and total:
        return (0, UNBOUNDED)
    if cell.hidden == SUPPRESSED:
        return (0, THRESHOLD - 1)
    if cell.hidden or cell.value is None:
        return (THRESHOLD, UNBOUNDED)
    return (max(cell.value - HALF, THRESHOLD), cell.value + HALF)


def narrow(bounds: dict[K, Bounds], sums: Sequence[tuple[Sequence[K], K]]) -> dict[K, Bounds]:
    """Constraint propagation to a fixpoint: each sum (its entries add up to its total, all at least 0)
    narrows each entry to at least the total's least less the others' most and at most the total's most
    less the others' least, and the total to between its entries' least and most. Sound (a bound it gives
    holds of the true counts), and it stops: bounds only narrow, in whole numbers, and never past the true
    count, and an unbounded "at most" stays unbounded until a finite one replaces it in one step."""
    low = {key: lo for key, (lo, _) in bounds.items()}
    high = {key: hi for key, (_, hi) in bounds.items()}
    touching: dict[K, list[int]] = {}
    for n, (members, total) in enumerate(sums):
        for key in (*members, total):
            touching.setdefault(key, []).append(n)
    pending = deque(range(len(sums)))
    queued = set(pending)
    while pending:
        n = pending.popleft()
        queued.discard(n)
        members, total = sums[n]
        least = sum(low[k] for k in members)
        unbounded = sum(1 for k in members if high[k] == UNBOUNDED)
        most = sum(high[k] for k in members if high[k] != UNBOUNDED)
        changed: list[K] = []
        t_low, t_high = low[total], high[total]
        for key in members:
            if high[key] == UNBOUNDED:
                others_most = UNBOUNDED if unbounded > 1 else most
            else:
                others_most = UNBOUNDED if unbounded else most - high[key]
            at_least = t_low - others_most
            at_most = t_high - (least - low[key])
            if at_least > low[key]:
                low[key] = int(at_least)
                changed.append(key)
            if at_most < high[key]:
                high[key] = at_most
                changed.append(key)
        if least > t_low:
            low[total] = least
            changed.append(total)
        if not unbounded and most < t_high:
            high[total] = most
            changed.append(total)
        for key in changed:
            for m in touching[key]:
                if m not in queued:
                    queued.add(m)
                    pending.append(m)
    return {key: (low[key], high[key]) for key in bounds}


def _narrowed_small(table: _Lines, hidden: dict[Key, str]) -> list[tuple[Key, bool]]:
    """The hidden counts under 10 that a reader proves to be other than anything from 0 to 9 (not 0,
    or under 9), from the figures as they would be published and every published sum; each with whether
    it was proved under 9 (a total's most less the others' least: a total is what to withhold)."""
    small = [key for key in hidden if table.entries[key] < THRESHOLD]
    if not small or not table.on_line:
        return []
    bounds = {
        key: reader_bounds(
            Cell(None, hidden[key]) if key in hidden else Cell(rounded(count)), total=table.is_total(key)
        )
        for key, count in table.entries.items()
    }
    worked_out = narrow(bounds, table.sums())
    return sorted(
        (key, worked_out[key][1] < THRESHOLD - 1)
        for key in small
        if worked_out[key][0] > 0 or worked_out[key][1] < THRESHOLD - 1
    )


def _next_to(table: _Lines, hidden: dict[Key, str], key: Key, bounded_above: bool) -> Key:
    """The figure to withhold for a narrowed count, looking outwards from it: the shown figures on its
    lines, then on the lines its lines' hidden entries lie on, and so on; else anywhere.

    A count proved under 9 was bounded by some total's most (less figures of 10 or more, which a withheld
    figure in the table still is): the nearest shown total, the smallest first. One proved above 0 was
    bounded by a total's least less the others' most: the nearest shown figure, the smallest first, cells
    before totals, as for a bridge."""
    levels: list[list[Key]] = []
    seen: set[Vertex] = set()
    lines = [end for end in dict.fromkeys(table.ends[key]) if end != GROUND]
    while lines:
        seen |= set(lines)
        on_them = sorted({k for line in lines for k in table.on_line[line]})
        levels.append([k for k in on_them if k not in hidden])
        further = (end for k in on_them if k in hidden for end in table.ends[k])
        lines = [end for end in dict.fromkeys(further) if end != GROUND and end not in seen]
    levels.append([k for k in table.entries if k not in hidden])
    if bounded_above:
        for level in levels:
            if totals := [k for k in level if table.is_total(k)]:
                return min(totals, key=lambda k: (table.entries[k], k))
    for level in levels:
        if level:
            return min(level, key=lambda k: (table.entries[k], table.is_total(k), k))
    raise ValueError("nothing left to withhold")


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
    if n_rows:
        entries = table_entries(values, row_totals=row_totals, column_totals=column_totals)
        hidden = hidden_entries(values, row_totals=row_totals, column_totals=column_totals) if entries else {}
    else:
        # No rows (a national table before any LA has a figure): no cells, and each total asked for counts
        # 0, hidden as every total under 10 is. The helpers read the columns from a first row: there is none.
        entries = {(0, j): 0 for j in range(n_cols) if column_totals}
        entries |= {(0, n_cols): 0} if row_totals and column_totals else {}
        hidden = {key: WITHHELD for key in entries}

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
