"""Bar charts drawn on the server as inline SVG: no JavaScript, nothing fetched, nothing to install.

A chart draws only what its table publishes (rounded figures; hidden ones are left out, never drawn
as zero), and it is an image with a title and a description: the table beside it is the accessible
alternative that screen readers and keyboard users read.
"""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from coordination.statistics import Cell, SuppressedTable

# GOV.UK palette: blue, orange, green, purple, dark grey, pink (distinct in print and for most colour vision).
COLOURS = ("#1d70b8", "#f47738", "#00703c", "#4c2c92", "#505a5f", "#d53880")
MAX_SERIES = len(COLOURS)
WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 56


@dataclass(frozen=True)
class Series:
    label: str
    cells: list[Cell]


def _series(table: SuppressedTable) -> list[Series]:
    """One series per row that publishes anything; too many rows, and the published totals instead."""
    rows = [
        Series(label, cells)
        for label, cells in zip(table.row_labels, table.cells, strict=True)
        if any(c.value for c in cells)
    ]
    if len(rows) > MAX_SERIES and table.column_totals is not None:
        return [Series("All", table.column_totals)]
    return rows[:MAX_SERIES]


def _nice_top(largest: int) -> int:
    """A round axis maximum at or above `largest` (10, 20, 50, 100, 200, ...)."""
    top = 10
    while top < largest:
        for step in (2, 5 / 2, 2):
            top = int(top * step)
            if top >= largest:
                break
    return top


def _short(label: str) -> list[str]:
    """ "January 2026" -> ["Jan", "2026"]: two short lines under a bar group."""
    words = label.split()
    if len(words) == 2 and words[1].isdigit():
        return [words[0][:3], words[1]]
    return [label[:12]]


def bar_chart(table: SuppressedTable, *, chart_id: str) -> SafeString:
    series = _series(table)
    columns = table.column_labels
    largest = max((c.value or 0 for s in series for c in s.cells), default=0)
    top = _nice_top(largest)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(columns), 1)
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    title = escape(f"Chart: {table.title}")
    drawn = ", ".join(escape(s.label) for s in series) or "nothing (every figure is hidden)"
    desc = (
        f"Bar chart of the table that follows. Bars show {drawn}. "
        "Figures fewer than 10, and figures withheld to protect them, are not drawn."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cp-chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}">',
        f'<title id="{chart_id}-title">{title}</title>',
        f'<desc id="{chart_id}-desc">{desc}</desc>',
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#b1b4b6" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="#0b0c0c">'
            f"{int(top * fraction)}</text>"
        )
    for j, column in enumerate(columns):
        x0 = LEFT + j * group_w + group_w * 0.1
        for k, s in enumerate(series):
            value = s.cells[j].value
            if not value:
                continue
            h = plot_h * value / top
            parts.append(
                f'<rect x="{x0 + k * bar_w:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS[k]}"/>'
            )
        centre = LEFT + (j + 0.5) * group_w
        for n, line in enumerate(_short(column)):
            parts.append(
                f'<text x="{centre:.1f}" y="{TOP + plot_h + 16 + 13 * n}" text-anchor="middle" '
                f'font-size="11" fill="#0b0c0c">{escape(line)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped; numbers are ours


def legend(table: SuppressedTable) -> list[tuple[str, str]]:
    """(colour, label) for each series drawn, for the key printed under the chart."""
    return [(COLOURS[k], s.label) for k, s in enumerate(_series(table))]
