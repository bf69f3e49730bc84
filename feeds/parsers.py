"""Reading feed files row by row (CSV with a header, or JSON Lines), streaming, numbered from 1.

The CSV reader is `linkage.csv_rows`, one floor down, so that batch linkage files (`link_file`,
`national_relink`) are read with the same row numbers and refusals.

A line that cannot be read becomes a `RowUnreadable` in its place, so it is reported with its number
and the rest of the file still goes in. Lines are read a bounded piece at a time (`linkage.lines`): one
longer than any row can be (a file with no line ends) is refused by number, never held whole.
"""

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from linkage.csv_rows import Row, RowsFileInvalid, RowUnreadable, csv_rows, unreadable
from linkage.lines import bounded_lines

FEED_FORMATS = ("csv", "jsonl")

# The file as a whole cannot be read as a feed (its header); nothing is ingested from it.
FeedFileInvalid = RowsFileInvalid


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


def _jsonl_rows(handle: IO[str]) -> Iterator[tuple[int, Row]]:
    number = 0
    for line in bounded_lines(handle):
        if line is None:
            number += 1
            yield number, RowUnreadable("a line is longer than any row allows")
            continue
        if not line.strip():
            continue
        number += 1
        if unreadable([line]):
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
        yield from csv_rows(handle) if feed_format(path) == "csv" else _jsonl_rows(handle)


def rows_count(path: Path) -> int:
    return sum(1 for _ in rows_read(path))


def rows_fingerprint(rows: list[dict[str, Any]]) -> str:
    """A batch submitted over the API is identified by its canonical JSON."""
    return hashlib.sha256(json.dumps(rows, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
