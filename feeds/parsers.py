"""Reading feed files row by row (CSV with a header, or JSON Lines), streaming, numbered from 1.

The CSV reader is `linkage.csv_rows`, one floor down, so that batch linkage files (`link_file`,
`national_relink`) are read with the same row numbers and refusals.

A line that cannot be read becomes a `RowUnreadable` in its place, so it is reported with its number
and the rest of the file still goes in. Lines are read a bounded piece at a time (`linkage.lines`): one
longer than any row can be (a file with no line ends) is refused by number, never held whole.
"""

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from linkage.csv_rows import Row, RowsFileInvalid, RowUnreadable, csv_rows, unreadable
from linkage.lines import LONGEST_LINE, bounded_lines

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


class FileChanged(Exception):
    """The file is not the one fingerprinted: replaced, or written to, since. Nothing more is read."""


# Which file, and its content as the file system tells it: device, inode, size, modification time.
FileState = tuple[int, int, int, int]


def _state(handle: IO[Any]) -> FileState:
    status = os.fstat(handle.fileno())
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def file_fingerprint(path: Path) -> str:
    return file_fingerprint_and_state(path)[0]


def file_fingerprint_and_state(path: Path) -> tuple[str, FileState]:
    """The file's SHA-256, and the state it had while hashed (FileChanged if it changed meanwhile), so a
    later reading can make sure it reads that same content (`rows_read(expect=)`)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        before = _state(handle)
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
        if _state(handle) != before:
            raise FileChanged
    return digest.hexdigest(), before


class _NamedTwice(ValueError):
    pass


def _object_once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose names are each given once. JSON leaves a repeated name undefined (Python keeps
    the last value, other readers the first), so such a row could say one thing to its source's checks
    and another to the index; it is refused, as a CSV header naming a column twice is."""
    value = dict(pairs)
    if len(value) != len(pairs):
        raise _NamedTwice
    return value


def _jsonl_lines(handle: IO[str]) -> Iterator[str | None]:
    """The file's JSON lines; None in place of one too long (`bounded_lines`).

    The handle is opened with newline="" (the CSV reader's need), so its lines end at a lone "\r" too.
    A line feed always ends a JSON line; a lone carriage return ends one only where the brackets opened on
    it are all closed: files whose lines end with carriage returns alone are read line by line, as before,
    while a carriage return that is white space inside a record joins the record back together (read
    apart, one valid record was two invalid rows, and every later row was numbered one too high). A
    held piece that never closes is given as its own (invalid) line when the next piece is a whole object
    by itself, so one broken record never takes the records after it with it.

    Linear in the file: each piece's brackets are counted once (`_depth_change`), and a piece is parsed
    whole only when it could start a record; parsing all that is held at each carriage return cost a
    hostile line of many carriage returns time growing with the square of its length.
    """
    held = ""
    depth = 0
    for piece in bounded_lines(handle):
        if piece is None:
            if held:
                yield held
            held, depth = "", 0
            yield None
            continue
        if held and piece.lstrip().startswith("{") and _whole_object(piece):
            yield held  # a record that never closed: the next piece is a record of its own
            held, depth = "", 0
        if len(held) + len(piece) >= LONGEST_LINE:
            held, depth = "", 0
            yield None
            continue
        held += piece
        depth += _depth_change(piece)
        if held.endswith("\n") or (depth <= 0 and held.strip()):
            yield held
            held, depth = "", 0
    if held:
        yield held


# A JSON string: no raw line break can be inside one, so a piece (cut at line breaks) never splits one.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _depth_change(piece: str) -> int:
    """Brackets opened less brackets closed in `piece`, outside its strings."""
    bare = _JSON_STRING.sub("", piece)
    return bare.count("{") + bare.count("[") - bare.count("}") - bare.count("]")


def _whole_object(text: str) -> bool:
    """Whether `text` is one whole JSON object (white space around it allowed)."""
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False


def _jsonl_rows(handle: IO[str]) -> Iterator[tuple[int, Row]]:
    number = 0
    for line in _jsonl_lines(handle):
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
            value = json.loads(line, object_pairs_hook=_object_once)
        except _NamedTwice:
            yield number, RowUnreadable("a field is named twice in the row")
            continue
        except (ValueError, RecursionError):  # JSONDecodeError, and integers past Python's digit limit
            yield number, RowUnreadable("not valid JSON")
            continue
        yield number, value if isinstance(value, dict) else RowUnreadable("not a JSON object")


def rows_read(path: Path, *, expect: FileState | None = None) -> Iterator[tuple[int, Row]]:
    """(row number, row) for each data row; the CSV header is not a row. A byte order mark is ignored;
    a row that cannot be read is a `RowUnreadable` in its place; FeedFileInvalid if the header cannot.

    `expect`: the state the file had when fingerprinted. The file opened must be that one, unchanged,
    and is checked again after each row is read, before it is given: FileChanged instead of a row read
    from a file replaced or rewritten since, so rows of two contents never go in under one fingerprint.
    """
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        if expect is not None and _state(handle) != expect:
            raise FileChanged
        for number, row in csv_rows(handle) if feed_format(path) == "csv" else _jsonl_rows(handle):
            if expect is not None and _state(handle) != expect:
                raise FileChanged
            yield number, row


def rows_count(path: Path, *, expect: FileState | None = None) -> int:
    return sum(1 for _ in rows_read(path, expect=expect))


def rows_fingerprint(rows: list[Any]) -> str:
    """A batch submitted over the API is identified by its canonical JSON."""
    return hashlib.sha256(json.dumps(rows, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
