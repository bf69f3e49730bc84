"""Reading a CSV file with a header row by row, streaming: the one reader for feed files (`feeds.parsers`)
and batch linkage files (`linkage.filelink`, `national_relink`), so a row has the same number and the
same refusal whichever reads it.

A row that cannot be read becomes a `RowUnreadable` in its place, so it is reported with its number and
the rest of the file still goes in. Open files with `errors="surrogateescape"`: a byte that is not UTF-8
then refuses its row, not the file; and with `newline=""`.

Lines are read a bounded piece at a time (`linkage.lines`): a line longer than any row can be is never
held whole, and its row is refused as a cell longer than any field allows.
"""

import contextlib
import csv
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import IO, Any

from linkage.lines import bounded_lines
from matching.normalise import not_utf8


class RowUnreadable:
    def __init__(self, reason: str) -> None:
        self.reason = reason


Row = dict[str, Any] | RowUnreadable


class RowsFileInvalid(ValueError):
    """The file as a whole cannot be read (its header); nothing is read from it."""


HEADER_QUOTE_OPEN = "the header row cannot be read: a quote in it is not closed"


def unreadable(cells: list[str]) -> bool:
    """Bytes that were not UTF-8, kept by `surrogateescape` as lone surrogates so one bad row does not
    stop the file."""
    return not_utf8(cells)


def csv_lines(handle: IO[str]) -> Iterator[str]:
    """The file's lines, read a bounded piece at a time; in place of one longer than any row can be, a
    line whose one cell is over the CSV field limit, so the reader refuses its row by number (a cell
    longer than any field allows) without the line ever being held whole."""
    for line in bounded_lines(handle):
        yield "x" * (csv.field_size_limit() + 1) + "\n" if line is None else line


def csv_rows(handle: IO[str]) -> Iterator[tuple[int, Row]]:
    """Rows numbered by the file line they start on (the header is line 1, so data row N is line N+1):
    the number a person finds in the file, whatever a broken row before it swallowed.

    The header line is judged alone first: one whose quote is not closed would have the reader take
    every line up to the next quote (up to the CSV field limit) as column names before it was refused."""
    lines = csv_lines(handle)
    header_line = next(lines, None)
    if header_line is None:
        return
    if _runs_past_its_line(header_line):
        raise RowsFileInvalid(HEADER_QUOTE_OPEN)
    yield from csv_lines_rows(chain([header_line], lines))


def _runs_past_its_line(first: str) -> bool:
    """Whether the CSV record starting on the line `first` goes on past it (a quote left open), as the
    file's reader reads it: the reader asks for a second line only to finish a record."""
    asked = []

    def lines() -> Iterator[str]:
        yield first
        asked.append(True)

    with contextlib.suppress(csv.Error):  # a cell over the limit: the file's reader refuses the header
        next(csv.reader(lines()), None)
    return bool(asked)


def csv_lines_rows(
    lines: Iterable[str], *, blank: Callable[[], object] | None = None
) -> Iterator[tuple[int, Row]]:
    """`csv_rows` over lines already read (`csv_lines`), for a caller that keeps them to read again (it
    hands lines back, so the reader asks its iterator again after an end).

    `blank` is called at each blank line, which yields no row: every line the reader has taken by then
    belongs to a row already yielded or to no row at all, so a caller keeping them lets them go (a run of
    blank lines would otherwise be held whole until the next row)."""
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error:
        raise RowsFileInvalid("the header row cannot be read") from None
    if reader.line_num > 1:
        # Read on past its line: a quote left open made the data lines up to the next quote (every line,
        # if there is none) column names, rows lost unnumbered and unreported.
        raise RowsFileInvalid(HEADER_QUOTE_OPEN)
    if unreadable(header):
        raise RowsFileInvalid("the header row is not valid UTF-8 text")
    if len(set(header)) != len(header):
        raise RowsFileInvalid("the header names a column twice")
    last = reader.line_num
    while True:
        first = last + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            last = reader.line_num
            yield first - 1, RowUnreadable("a cell is longer than any field allows")
            continue
        last = reader.line_num
        if not cells:  # a blank line
            if blank is not None:
                blank()
            continue
        if last > first:
            # A quoted line break is never part of a feed field: an unclosed quote swallowed lines.
            yield first - 1, RowUnreadable(f"lines {first} to {last} read as one row: a quote is not closed")
        elif unreadable(cells):
            yield first - 1, RowUnreadable("not valid UTF-8 text")
        elif len(cells) > len(header):
            yield first - 1, RowUnreadable("more cells than the header has columns")
        elif len(cells) < len(header):
            # A cell missing in the middle (a comma short) would slide every later value under the
            # wrong field: the town read as the street, the postcode as the town. Refused, as a long row.
            yield first - 1, RowUnreadable("fewer cells than the header has columns")
        else:
            yield first - 1, dict(zip(header, cells, strict=True))
