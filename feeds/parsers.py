"""Reading feed files row by row (CSV with a header, or JSON Lines), streaming, numbered from 1.

A line that cannot be read becomes a `RowUnreadable` in its place, so it is reported with its number
and the rest of the file still goes in.
"""

import csv
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from matching.normalise import not_utf8

FEED_FORMATS = ("csv", "jsonl")


class RowUnreadable:
    def __init__(self, reason: str) -> None:
        self.reason = reason


Row = dict[str, Any] | RowUnreadable


def feed_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix == "csv":
        return "csv"
    raise ValueError("feed files must be .csv or .jsonl")


def file_fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


class FeedFileInvalid(ValueError):
    """The file as a whole cannot be read as a feed (its header); nothing is ingested from it."""


def _unreadable(cells: list[str]) -> bool:
    """Bytes that were not UTF-8, kept by `surrogateescape` as lone surrogates so one bad row does not
    stop the file."""
    return not_utf8(cells)


def _csv_rows(handle: IO[str]) -> Iterator[tuple[int, Row]]:
    """Rows numbered by the file line they start on (the header is line 1, so data row N is line N+1):
    the number a person finds in the file, whatever a broken row before it swallowed."""
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error:
        raise FeedFileInvalid("the header row cannot be read") from None
    if _unreadable(header):
        raise FeedFileInvalid("the header row is not valid UTF-8 text")
    if len(set(header)) != len(header):
        raise FeedFileInvalid("the header names a column twice")
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
        elif _unreadable(cells):
            yield first - 1, RowUnreadable("not valid UTF-8 text")
        elif len(cells) > len(header):
            yield first - 1, RowUnreadable("more cells than the header has columns")
        else:
            yield first - 1, dict(zip(header, [*cells, *[None] * (len(header) - len(cells))], strict=True))


def _jsonl_rows(handle: IO[str]) -> Iterator[tuple[int, Row]]:
    number = 0
    for line in handle:
        if not line.strip():
            continue
        number += 1
        if _unreadable([line]):
            yield number, RowUnreadable("not valid UTF-8 text")
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):  # JSONDecodeError, and integers past Python's digit limit
            yield number, RowUnreadable("not valid JSON")
            continue
        yield number, value if isinstance(value, dict) else RowUnreadable("not a JSON object")


def rows_read(path: Path) -> Iterator[tuple[int, Row]]:
    """(row number, row) for each data row; the CSV header is not a row. A byte order mark is ignored;
    a row that cannot be read is a `RowUnreadable` in its place; FeedFileInvalid if the header cannot."""
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        yield from _csv_rows(handle) if feed_format(path) == "csv" else _jsonl_rows(handle)


def rows_count(path: Path) -> int:
    return sum(1 for _ in rows_read(path))


def rows_fingerprint(rows: list[dict[str, Any]]) -> str:
    """A batch submitted over the API is identified by its canonical JSON."""
    return hashlib.sha256(json.dumps(rows, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
