"""Reading a CSV file with a header row by row, streaming: the one reader for feed files (`feeds.parsers`)
and batch linkage files (`linkage.filelink`, `national_relink`), so a row has the same number and the
same refusal whichever reads it.

A row that cannot be read becomes a `RowUnreadable` in its place, so it is reported with its number and
the rest of the file still goes in. Open files with `errors="surrogateescape"`: a byte that is not UTF-8
then refuses its row, not the file.
"""

import csv
from collections.abc import Iterator
from typing import IO, Any

from matching.normalise import not_utf8


class RowUnreadable:
    def __init__(self, reason: str) -> None:
        self.reason = reason


Row = dict[str, Any] | RowUnreadable


class RowsFileInvalid(ValueError):
    """The file as a whole cannot be read (its header); nothing is read from it."""


def unreadable(cells: list[str]) -> bool:
    """Bytes that were not UTF-8, kept by `surrogateescape` as lone surrogates so one bad row does not
    stop the file."""
    return not_utf8(cells)


def csv_rows(handle: IO[str]) -> Iterator[tuple[int, Row]]:
    """Rows numbered by the file line they start on (the header is line 1, so data row N is line N+1):
    the number a person finds in the file, whatever a broken row before it swallowed."""
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error:
        raise RowsFileInvalid("the header row cannot be read") from None
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
        if not cells:
            continue  # a blank line
        if last > first:
            # A quoted line break is never part of a feed field: an unclosed quote swallowed lines.
            yield first - 1, RowUnreadable(f"lines {first} to {last} read as one row: a quote is not closed")
        elif unreadable(cells):
            yield first - 1, RowUnreadable("not valid UTF-8 text")
        elif len(cells) > len(header):
            yield first - 1, RowUnreadable("more cells than the header has columns")
        else:
            yield first - 1, dict(zip(header, [*cells, *[None] * (len(header) - len(cells))], strict=True))
