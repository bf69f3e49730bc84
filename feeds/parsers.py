"""Reading feed files row by row (CSV with a header, or JSON Lines), streaming, numbered from 1.

A line that cannot be read becomes a `RowUnreadable` in its place, so it is reported with its number
and the rest of the file still goes in.
"""

import csv
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def rows_read(path: Path) -> Iterator[tuple[int, Row]]:
    """(row number, row) for each data row; the CSV header is not a row."""
    with path.open(encoding="utf-8", newline="") as handle:
        if feed_format(path) == "csv":
            reader = csv.DictReader(handle)
            for number, record in enumerate(reader, start=1):
                if None in record:
                    yield number, RowUnreadable("more cells than the header has columns")
                else:
                    yield number, {k: v for k, v in record.items() if k is not None}
            return
        number = 0
        for line in handle:
            if not line.strip():
                continue
            number += 1
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                yield number, RowUnreadable("not valid JSON")
                continue
            yield number, value if isinstance(value, dict) else RowUnreadable("not a JSON object")


def rows_count(path: Path) -> int:
    return sum(1 for _ in rows_read(path))


def rows_fingerprint(rows: list[dict[str, Any]]) -> str:
    """A batch submitted over the API is identified by its canonical JSON."""
    return hashlib.sha256(json.dumps(rows, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
