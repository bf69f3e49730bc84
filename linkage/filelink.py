"""Linking a file of records from several sources into clusters, one per child, streaming.

The same engine as search and feed linkage: each record looks itself up under the engine's query keys
(`matching.blocking.query_key_tiers`, tier by tier under a candidate cap), each candidate is scored
by `matching.scoring.score`, and the record joins the cluster of its best "match" if that match is
clear of the runner-up from another cluster by `LINK_MARGIN` bits; otherwise it starts a cluster.
A record with only "close" candidates starts its own cluster and is counted as a review (what feed
linkage would send to a person); one the engine cannot read (no family name, no real date of birth,
bytes that are not UTF-8) or a feed would refuse (its rules for names and dates of birth,
`children.row_values`: the same reason) is reported by row number and is a cluster of its own.

Exact duplicates (the same identity as a record already read: a source re-sending its extract) join
that record's cluster as a "match" and are not stored again, so copies never fill the candidate cap. A
record whose most specific block is still over the cap (the engine's "refine"), or whose nearby-date
block is with nothing close at its date, cannot be decided: it starts its own cluster as a "review",
counted in `over_cap`, never silently as "new".

Rows are read by the feeds' CSV reader (`feeds.parsers`), numbered as ingest numbers them (the file
line a row starts on, minus the header; docs/DECISIONS.md section 7). A row the reader cannot read (a
cell over the CSV limit, an unclosed quote) is rejected by number; the lines an unclosed quote
swallowed are read again as rows of their own, so one stray quote never hides the records after it.

Memory is bounded: records and their keys go into SQLite's private temporary database (a file opened
0600 and unlinked at once, so nothing is left on disk whatever stops the run), never into Python
collections; a line is read a bounded piece at a time (`linkage.lines`); and each output row is written as
soon as its record is decided.
Rejected rows go to the caller's `on_rejected` as they are met; the report keeps only the first
REJECTED_ROWS_KEPT of them (every one is a "rejected" row of the output either way).
Keys are stored as 64-bit BLAKE2b digests (the file is plaintext anyway; this just keeps it small).
"""

import csv
import hashlib
import json
import os
import sqlite3
import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from children.row_values import DateOfBirthInvalid, date_of_birth_read, one_line, value_problem
from linkage.csv_rows import RowUnreadable, csv_lines, csv_lines_rows
from linkage.linking import LINK_MARGIN, possible_sibling
from linkage.moves import moved_and_more
from matching.blocking import NEARBY_DATES, candidates_within, query_key_tiers, record_keys
from matching.identity import Identity
from matching.normalise import normalise_postcode, not_utf8
from matching.scoring import score

COLUMNS = (
    "record_id",
    "source",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "address_line",
    "town",
    "postcode",
)
OUT_COLUMNS = ("record_id", "source", "cluster_id", "decision")
FILE_CANDIDATE_LIMIT = 200
REJECTED_ROWS_KEPT = 100
SEXES = {"f": "female", "female": "female", "m": "male", "male": "male"}


@dataclass
class FileLinkReport:
    records: int = 0
    clusters: int = 0
    linked: int = 0
    reviews: int = 0
    rejected: int = 0
    over_cap: int = 0  # reviews the engine could not decide: the block was over the candidate cap
    rejected_rows: list[tuple[int, str]] = field(default_factory=list)  # the first REJECTED_ROWS_KEPT


# The columns a feed judges by its rules for a row's values (`children.row_values`), in the feed's order
# (`feeds.models.FEED_FIELDS`), with whether each is a person's name.
_JUDGED = (("given_name", True), ("family_name", True), ("date_of_birth", False))


def identity_from_row(row: Mapping[str, str | None], *, today: date | None = None) -> Identity:
    """The engine's view of one input row; ValueError (naming the column, never the value) if unusable.

    A row a feed would refuse for its names or date of birth is refused with the feed's reason, by the
    feed's own rules (`children.row_values`: a date only as YYYY-MM-DD, not after `today` (by default
    the local date) nor more than OLDEST_AGE_YEARS before it; a name of letters as a record's names
    are, within the length and parts a record holds), so an LA checking its extract learns what its
    feed will refuse.
    """
    if not_utf8(row.values()):
        raise ValueError("not valid UTF-8 text")  # bytes kept by the reader's surrogateescape
    texts = {column: one_line(row.get(column) or "") for column, _ in _JUDGED}
    for column, name in _JUDGED:
        if problem := value_problem(texts[column], name=name):
            raise ValueError(f"{column} {problem}")
    for column in ("family_name", "date_of_birth"):
        if not texts[column]:
            raise ValueError(f"{column} is required")
    try:
        dob = date_of_birth_read(texts["date_of_birth"], today=today or timezone.localdate())
    except DateOfBirthInvalid as wrong:
        raise ValueError(f"date_of_birth {wrong}") from None
    family, given = texts["family_name"], texts["given_name"]
    postcode = normalise_postcode(row.get("postcode") or "")
    return Identity(
        family_names=(family,),
        given_names=(given,) if given else (),
        date_of_birth=dob,
        gender=SEXES.get((row.get("sex") or "").strip().lower()),
        postcodes=(postcode,) if postcode else (),
    )


def _digest(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def _identity_json(identity: Identity) -> str:
    return json.dumps(
        {
            "f": identity.family_names,
            "g": identity.given_names,
            "d": identity.date_of_birth.isoformat() if identity.date_of_birth else None,
            "s": identity.gender,
            "p": identity.postcodes,
        }
    )


def _identity_load(text: str) -> Identity:
    data = json.loads(text)
    return Identity(
        family_names=tuple(data["f"]),
        given_names=tuple(data["g"]),
        date_of_birth=date.fromisoformat(data["d"]) if data["d"] else None,
        gender=data["s"],
        postcodes=tuple(data["p"]),
    )


class _Lines:
    """The lines the CSV reader takes, with their numbers in the file; lines can be handed back.

    The reader never reads ahead of the row it returns, so the lines taken since the last row are that
    row's (after the header, and any blank lines, before it). Blank lines are let go as the reader
    passes them (`csv_lines_rows(blank=...)`), so a run of them is never held.

    Lines are the CSV reader's own (`linkage.csv_rows.csv_lines`): read at most LONGEST_LINE characters
    at a time (`linkage.lines`), a longer one skipped piece by piece and handed over, in its place, as
    one cell over the CSV limit, so its row is refused by number as such and memory stays flat whatever
    the line's length.
    """

    def __init__(self, handle: IO[str]) -> None:
        self._lines = csv_lines(handle)
        self._again: deque[tuple[int, str]] = deque()
        self._number = 0
        self.pulled = 0  # lines handed to the reader, a line read again counting again
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        if self._again:
            number, line = self._again.popleft()
        else:
            line = next(self._lines)
            self._number += 1
            number = self._number
        self.pulled += 1
        self.taken.append((number, line))
        return line

    def take(self) -> list[tuple[int, str]]:
        taken, self.taken = self.taken, []
        return taken

    def again(self, lines: list[tuple[int, str]]) -> None:
        self._again.extendleft(reversed(lines))


@dataclass
class Unread:
    """A row the reader refused, with its record_id and source when its one line still gives them."""

    reason: str
    record_id: str = ""
    source: str = ""


def _unread(reason: str, header: list[str], line: str) -> Unread:
    """Why the row was refused, and the ids an operator would look it up by (a one-line row only)."""
    try:
        cells = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return Unread(reason)
    ids = [cells[header.index(c)] if header.index(c) < len(cells) else "" for c in ("record_id", "source")]
    return Unread(reason, *ids)


def file_rows(source: IO[str]) -> Iterator[tuple[int, dict[str, str | None] | Unread]]:
    """(row number, row) for each data row, read as ingest reads a feed (`feeds.parsers`), numbered by
    the file line the row starts on minus the header; ValueError if the header lacks a column.

    A row that spans lines (a quote not closed) is rejected with its first line's number, and the lines
    it swallowed are read again: the header of a batch file is never quoted across lines, and neither is
    a record. Lines are held only while their row is read (the CSV field limit bounds a runaway quote).
    """
    lines = _Lines(source)
    try:
        header = next(csv.reader(lines))
    except StopIteration:
        header = []
    except csv.Error:
        header = None  # the feeds' reader says what is wrong with it
    lines.again(lines.take())
    lines.pulled = 0  # from here, the count of the feeds' reader
    missing = [c for c in COLUMNS if c not in (header or [])]
    if header is not None and missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    # A blank line ends no row: the lines taken up to it are let go there, not held until the next row.
    for counted, row in csv_lines_rows(lines, blank=lines.take):
        # `counted` is right until a line has been read twice; the lines taken tell the truth.
        taken = lines.take()
        spanned = taken[len(taken) - (lines.pulled - counted) :]
        if len(spanned) > 1:
            lines.again(spanned[1:])
            yield spanned[0][0] - 1, Unread("a quote is not closed")
        elif isinstance(row, RowUnreadable):
            yield spanned[0][0] - 1, _unread(row.reason, header or [], spanned[0][1])
        else:
            yield spanned[0][0] - 1, row


class _Store:
    """Records and keys on disk, so memory stays flat whatever the file's size.

    SQLite's private temporary database (an empty file name): its file is opened 0600 and unlinked at
    once, so it has no name on disk and is gone with the process however that ends (SIGTERM, SIGKILL,
    the OOM killer), where a named file in a temporary directory was left behind holding every child's
    names, date of birth and postcode in clear.
    """

    def __init__(self) -> None:
        self.db = sqlite3.connect("")
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16000;
            CREATE TABLE record (
                seq INTEGER PRIMARY KEY, cluster INTEGER NOT NULL, identity TEXT NOT NULL,
                identity_digest INTEGER NOT NULL
            );
            CREATE INDEX record_identity ON record (identity_digest);
            CREATE TABLE key (digest INTEGER NOT NULL, seq INTEGER NOT NULL);
            CREATE INDEX key_digest ON key (digest);
            """
        )

    def lookup(self, keys: frozenset[str]) -> set[int]:
        found: set[int] = set()
        digests = [_digest(k) for k in keys]
        for start in range(0, len(digests), 500):
            chunk = digests[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found |= {
                seq
                for (seq,) in self.db.execute(
                    f"SELECT DISTINCT seq FROM key WHERE digest IN ({marks}) LIMIT {FILE_CANDIDATE_LIMIT + 1}",  # noqa: S608 - placeholders only
                    chunk,
                )
            }
        return found

    def candidates(self, seqs: set[int]) -> Iterator[tuple[int, int, Identity]]:
        for seq in seqs:
            cluster, identity = self.db.execute(
                "SELECT cluster, identity FROM record WHERE seq = ?", (seq,)
            ).fetchone()
            yield seq, cluster, _identity_load(identity)

    def cluster_of_copy(self, identity: Identity) -> int | None:
        """The cluster of a record read before with exactly this identity, if any."""
        text = _identity_json(identity)
        found = self.db.execute(
            "SELECT cluster FROM record WHERE identity_digest = ? AND identity = ? LIMIT 1",
            (_digest(text), text),
        ).fetchone()
        return None if found is None else int(found[0])

    def add(self, seq: int, cluster: int, identity: Identity) -> None:
        text = _identity_json(identity)
        self.db.execute("INSERT INTO record VALUES (?, ?, ?, ?)", (seq, cluster, text, _digest(text)))
        self.db.executemany(
            "INSERT INTO key VALUES (?, ?)", [(_digest(k.value), seq) for k in record_keys(identity)]
        )

    def close(self) -> None:
        self.db.close()


def _copies_link(identity: Identity) -> bool:
    """Whether the engine links two records with exactly this identity. Not when they carry too little
    (a family name and a date of birth alone can be two children): those are decided like any record."""
    match = score(identity, identity)
    return match.verdict == "match" and not (possible_sibling(match) or moved_and_more(match))


def _decide(identity: Identity, store: _Store) -> tuple[int | None, str]:
    """The cluster to join (or None for a new one) and the decision: match, review, new or over_cap
    (a review because even the most specific block is over the cap, or the nearby-date block is with
    nothing close at the record's date: the engine cannot decide)."""
    found = candidates_within(query_key_tiers(identity), store.lookup, cap=FILE_CANDIDATE_LIMIT)
    if found.refine:
        return None, "over_cap"
    best_by_cluster: dict[int, float] = {}
    close = False
    for _, cluster, candidate in store.candidates(found.found):
        match = score(identity, candidate)
        if match.verdict == "match" and (possible_sibling(match) or moved_and_more(match)):
            close = True  # a twin or sibling, or two fields out at once: a person decides
        elif match.verdict == "match":
            best_by_cluster[cluster] = max(match.weight, best_by_cluster.get(cluster, float("-inf")))
        elif match.verdict == "close":
            close = True
    if not best_by_cluster and not close and found.over_cap == NEARBY_DATES:
        # The records a keying mistake from this one's date were too many to compare, and nothing at its
        # date is close: it may be one of them, its date mistyped (as `linkage.linking.link_decide`).
        return None, "over_cap"
    if not best_by_cluster:
        return None, "review" if close else "new"
    ranked = sorted(best_by_cluster.items(), key=lambda item: -item[1])
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < LINK_MARGIN:
        return None, "review"
    return ranked[0][0], "match"


Rejected = Callable[[int, str], None]


@contextmanager
def output_file(out: Path, *, source: Path) -> Iterator[IO[str]]:
    """The output of a run over `source`, written beside `out` (mode 0600) and renamed onto it only when
    the block ends without an error; ValueError, before anything is read, if `out` is the input file
    itself (by any name: a symlink or a hard link) or is not a file in an existing directory.

    Opening `out` itself truncated it at once: an output naming the input destroyed the input, a run
    that then failed (a bad header) emptied an earlier output, an interrupted one left a partial output
    that looked complete, and a symlink at `out` was written through. Now a failed or interrupted run
    leaves `out` as it was, and a symlink there is replaced, never followed.
    """
    if out.is_dir() or not out.parent.is_dir():
        raise ValueError("--out must name a file in an existing directory")
    if out.exists() and os.path.samefile(out, source):
        raise ValueError("the output file is the input file: choose another --out")
    descriptor, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with open(descriptor, "w", encoding="utf-8", errors="surrogateescape", newline="") as handle:
            yield handle
        os.replace(name, out)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def link_file(
    source: IO[str],
    out: IO[str],
    *,
    progress: Any = None,
    on_rejected: Rejected | None = None,
    today: date | None = None,
) -> FileLinkReport:
    """Cluster the CSV in `source` (COLUMNS), writing OUT_COLUMNS to `out` as each record is decided.

    `on_rejected(row number, reason)` is called for each rejected row as it is met (the report keeps
    only the first REJECTED_ROWS_KEPT, so memory stays flat however many rows are bad). Dates of birth
    are judged on `today` (by default the local date when the run starts), as a feed judges them.
    """
    today = today or timezone.localdate()
    writer = csv.writer(out)
    rows = file_rows(source)
    first = next(rows, None)  # the header is checked before anything is written
    writer.writerow(OUT_COLUMNS)
    report = FileLinkReport()
    store = _Store()
    try:
        for seq, (number, row) in enumerate(chain([first] if first is not None else [], rows), start=1):
            if progress is not None:
                progress()
            _link_row(seq, number, row, store, writer, report, on_rejected, today)
    finally:
        store.close()
    return report


def _link_row(
    seq: int,
    number: int,
    row: dict[str, str | None] | Unread,
    store: _Store,
    writer: Any,
    report: FileLinkReport,
    on_rejected: Rejected | None,
    today: date,
) -> None:
    """Decide one row and write its output row; `seq` (the record's place in the file) names a new cluster."""
    report.records += 1
    try:
        if isinstance(row, Unread):
            raise ValueError(row.reason)
        identity = identity_from_row(row, today=today)
    except ValueError as invalid:
        # Every record is in a cluster: one the engine cannot read is a cluster of its own.
        report.rejected += 1
        report.clusters += 1
        if len(report.rejected_rows) < REJECTED_ROWS_KEPT:
            report.rejected_rows.append((number, str(invalid)))
        if on_rejected is not None:
            on_rejected(number, str(invalid))
        ids = (row.record_id, row.source) if isinstance(row, Unread) else (row["record_id"], row["source"])
        writer.writerow((ids[0] or "", ids[1] or "", f"C{seq}", "rejected"))
        return
    copy_of = store.cluster_of_copy(identity)
    if copy_of is not None and _copies_link(identity):
        # An exact copy scores as its original and adds no key: it joins, and is not stored twice.
        report.linked += 1
        writer.writerow((row["record_id"], row["source"], f"C{copy_of}", "match"))
        return
    cluster, decision = _decide(identity, store)
    if cluster is None:
        cluster = seq
        report.clusters += 1
    else:
        report.linked += 1
    report.reviews += decision in ("review", "over_cap")
    report.over_cap += decision == "over_cap"
    store.add(seq, cluster, identity)
    writer.writerow(
        (row["record_id"], row["source"], f"C{cluster}", "review" if decision == "over_cap" else decision)
    )
