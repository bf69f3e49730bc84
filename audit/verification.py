"""Whole-log verification against signed tree heads kept outside the database.

Everything is recomputed from the stored columns: each row's leaf (so an edit is pinned to its id),
the root at every exported head's size (so deletion, insertion, reordering and truncation show up even
when the attacker also rewrote the leaf column), and each head's signature and its consistency proof
from the head before it. Subtree cache rows, where they still agree with the heads, narrow a
divergence down to one block of 2**AUDIT_SUBTREE_CACHE_LEVEL events.
"""

import contextlib
import itertools
import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit import merkle
from audit.checkpoints import HeadFileUnreadable, cache_level, head_file_read, head_files, head_statement
from audit.ledger import EVENT_TABLE, entry_bytes, timestamp_parse
from audit.models import AuditSubtree, SearchAppearance
from audit.signing import key_id, signature_valid
from audit.tags import AuditTag

FETCH = 20000
MAX_GAPS = 50


@dataclass(frozen=True)
class Finding:
    kind: str
    detail: str
    event_id: int | None = None

    def __str__(self) -> str:
        where = f" [event {self.event_id}]" if self.event_id is not None else ""
        return f"{self.kind}{where}: {self.detail}"


@dataclass(frozen=True)
class SignedHead:
    size: int
    root: str
    last_event_id: int
    issued_at: str
    key_id: str
    signature: str
    consistency: dict[str, Any]
    source: str

    @classmethod
    def from_file(cls, path: Path) -> "SignedHead":
        """The head in `path`; `HeadFileUnreadable` (a ValueError) naming the file if it cannot be read."""
        data = head_file_read(path)
        statement = data["statement"]
        return cls(
            size=statement["size"],
            root=statement["root"],
            last_event_id=statement["last_event_id"],
            issued_at=statement["issued_at"],
            key_id=data["key_id"],
            signature=data["signature"],
            consistency=data.get("consistency") or {},
            source=path.name,
        )

    def statement(self) -> bytes:
        return head_statement(
            size=self.size, root=self.root, last_event_id=self.last_event_id, issued_at=self.issued_at
        )


def heads_load(directory: Path | str) -> list[SignedHead]:
    """Every head in `directory`; the first file that cannot be read raises (`heads_read` reports it)."""
    return [SignedHead.from_file(p) for p in head_files(directory)]


def heads_read(paths: Iterable[Path]) -> tuple[list[SignedHead], list[Finding]]:
    """The heads in `paths` that can be read, and an `unreadable_head` finding naming each that cannot
    (empty or cut short by a power cut, damaged, not a head): one such file stops nothing else's check."""
    heads: list[SignedHead] = []
    unreadable: list[Finding] = []
    for path in paths:
        try:
            heads.append(SignedHead.from_file(path))
        except HeadFileUnreadable as exc:
            unreadable.append(Finding("unreadable_head", str(exc)))
    return heads, unreadable


@dataclass
class VerificationReport:
    events: int = 0
    heads: int = 0
    findings: list[Finding] = field(default_factory=list)
    tail_size: int = 0
    tail_age_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, kind: str, detail: str, event_id: int | None = None) -> None:
        self.findings.append(Finding(kind, detail, event_id))

    def edited_ids(self) -> set[int]:
        return {f.event_id for f in self.findings if f.event_id is not None}


def _heads_check(
    heads: list[SignedHead], public_key: Ed25519PublicKey, report: VerificationReport
) -> list[SignedHead]:
    """Signatures, then consistency proofs between successive heads: needs no database at all.

    Returns the heads whose signatures check, the only ones whose `issued_at` may be trusted.
    """
    expected_key = key_id(public_key)
    valid = []
    for head in heads:
        if head.key_id != expected_key or not signature_valid(
            public_key, bytes.fromhex(head.signature), head.statement()
        ):
            report.add("bad_signature", f"head {head.source} is not signed by the pinned key")
        else:
            valid.append(head)
    for before, after in itertools.pairwise(heads):
        if after.size < before.size:
            report.add("heads_shrink", f"{after.source} is smaller than {before.source}")
            continue
        proof = after.consistency
        if proof.get("from_size") != before.size:
            continue
        ok = proof.get("from_root") == before.root and merkle.verify_consistency(
            before.size,
            after.size,
            bytes.fromhex(before.root),
            bytes.fromhex(after.root),
            [bytes.fromhex(p) for p in proof.get("proof", [])],
        )
        if not ok:
            report.add("inconsistent_heads", f"{after.source} does not extend {before.source}")
    return valid


def _normalise(row: tuple[Any, ...]) -> dict[str, Any]:
    """Raw database values to the types the writer hashed.

    SQLite gives naive UTC datetimes and hex uuids, PostgreSQL aware datetimes and UUIDs; Django has both
    drivers return JSON columns as text.
    """
    event_id, occurred_at, tag, actor_id, organisation_id, child_id, additional = row
    if not isinstance(occurred_at, datetime):  # SQLite converters give None for text that is no date
        raise ValueError("occurred_at cannot be read back")
    if occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=UTC)
    if child_id is not None and not isinstance(child_id, UUID):
        child_id = UUID(str(child_id))
    return {
        "id": int(event_id),
        "occurred_at": occurred_at,
        "tag": tag,
        "actor_id": actor_id,
        "organisation_id": organisation_id,
        "child_id": child_id,
        "additional": json.loads(additional),
    }


@contextlib.contextmanager
def _one_moment() -> Iterator[None]:
    """What a whole run reads in: on PostgreSQL one REPEATABLE READ, READ ONLY transaction, so the event
    scan, the search index and the subtree cache are all read as they stood at one moment.

    Under READ COMMITTED each query sees what had committed when it began: a search committed while the
    event scan ran (minutes on a national log) was not among the events read, but its result rows were
    there for the later query of the index, and the run failed `appearance_inserted` on a live service.
    Inside a transaction a caller opened (one that may have read already) the isolation can no longer be
    set, and the caller's transaction is used as it is. SQLite (development and tests only) is left
    outside a transaction: its IMMEDIATE transactions would lock out every writer for the whole run.
    """
    if connection.vendor != "postgresql":
        yield
        return
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _rows() -> Any:
    """A server-side ordered scan of every column, read raw so one corrupt value cannot stop the scan.

    `chunked_cursor`, not `cursor`: on PostgreSQL a plain cursor is client-side and receives the whole
    result when the query runs, so `fetchmany` batched nothing and the entire log sat in the verifier's
    memory. The chunked cursor is a named server-side cursor that hands over FETCH rows at a time; it is
    declared inside a transaction (the run's own, `_one_moment`) because outside one Django makes it
    WITH HOLD, which PostgreSQL materialises whole (a temporary copy of the log on the server) before the
    first row. On SQLite the two cursors are the same and already step through the rows. The search
    index is read beside it, in the same transaction, as the scan goes (`_AppearanceCheck`).
    """
    columns = "id, occurred_at, tag, actor_id, organisation_id, child_id, additional, leaf_hash"
    with connection.chunked_cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {EVENT_TABLE} ORDER BY id")  # noqa: S608 - constants
        while batch := cursor.fetchmany(FETCH):
            yield from batch


class _BlockCheck:
    """Compares recomputed blocks with the cached subtree rows to narrow where a divergence starts."""

    def __init__(self) -> None:
        self.level = cache_level()
        self.cached = {
            index: (digest, last_id)
            for index, digest, last_id in AuditSubtree.objects.filter(level=self.level).values_list(
                "index", "digest", "last_event_id"
            )
        }
        self.leaves: list[bytes] = []
        self.first_id: int | None = None
        self.block = 0
        self.previous_last = 0
        self.reported = False

    def add(self, leaf: bytes, event_id: int, report: VerificationReport) -> None:
        if self.first_id is None:
            self.first_id = event_id
        self.leaves.append(leaf)
        if len(self.leaves) < 1 << self.level:
            return
        cached = self.cached.get(self.block)
        if cached is not None and not self.reported:
            digest, last_id = cached
            if digest != merkle.ListTree(self.leaves).root().hex() or last_id != event_id:
                report.add(
                    "block_diverges",
                    f"tree block {self.block} (events after id {self.previous_last} up to cached id "
                    f"{last_id}; now ids {self.first_id}..{event_id}) differs from the checkpointed block",
                )
                self.reported = True
        self.previous_last = cached[1] if cached else event_id
        self.block += 1
        self.leaves = []
        self.first_id = None


_AppearanceRow = tuple[int, int | None, UUID, datetime]  # event_id, actor_id, child_id, occurred_at


def _appearance_rows() -> Iterator[_AppearanceRow]:
    """Every SearchAppearance row in event id order, a batch at a time (server-side inside the run's
    transaction on PostgreSQL, as `_rows`; SQLite's cursor already steps through them)."""
    rows = SearchAppearance.objects.order_by("event_id", "child_id").values_list(
        "event_id", "actor_id", "child_id", "occurred_at"
    )
    yield from rows.iterator(chunk_size=FETCH)


def _rows_by_search(
    rows: Iterable[_AppearanceRow],
) -> Iterator[tuple[int, list[tuple[int | None, UUID, datetime]]]]:
    """One search's rows at a time: (event_id, [(actor_id, child_id, occurred_at), ...])."""
    for event_id, group in itertools.groupby(rows, key=lambda row: row[0]):
        yield event_id, [(actor_id, child_id, at) for _, actor_id, child_id, at in group]


_Expected = tuple[int | None, datetime | None, frozenset[UUID]]  # a search's actor, time and result ids
_NO_SEARCH: _Expected = (None, None, frozenset())


class _AppearanceCheck:
    """SearchAppearance must be exactly what the verified log's searches returned.

    The unexplained-access report trusts it ("did this person's search return this child?"), so one
    inserted row could hide a view; it is checked row by row against the `result_ids` of each search.
    Merged with the event scan as it runs: the events and the rows both come in event id order, so each
    search is compared with its own rows when the scan reaches it (`expect`), and only the rows of the
    next search in the table are held. Gathering either side first does not fit at national scale: the
    whole table was gathered once, then every search of the log (0.4 to 1.8 kB each, tens of gigabytes
    for a year at the design volume) until the scan had ended.
    """

    def __init__(self, rows: Iterable[_AppearanceRow] | None = None) -> None:
        """`rows`: (event_id, actor_id, child_id, occurred_at) ordered by event id; the table by default,
        read from the first search on."""
        # Generators: nothing is read until the first search is compared.
        self._searches = _rows_by_search(_appearance_rows() if rows is None else rows)
        self._upcoming: tuple[int, list[tuple[int | None, UUID, datetime]]] | None = None
        self._read = False

    def _next_search(self) -> tuple[int, list[tuple[int | None, UUID, datetime]]] | None:
        """The rows of the next search in the table not yet compared: (event_id, rows), or None."""
        if not self._read:
            self._upcoming = next(self._searches, None)
            self._read = True
        return self._upcoming

    def _taken(self) -> None:
        self._read = False

    def expect(self, event_id: int, search: _Expected | None, report: VerificationReport) -> None:
        """The scan's next readable event (in id order), and what it returned if it is a search
        (`search_expected`): a search is compared with its rows now, after the rows of any lower id, which
        no search of the log holds."""
        if search is None:
            return
        self._unclaimed(report, before=event_id)
        rows: list[tuple[int | None, UUID, datetime]] = []
        upcoming = self._next_search()
        if upcoming is not None and upcoming[0] == event_id:
            rows = upcoming[1]
            self._taken()
        _compare_one(event_id, search, rows, report)

    def finish(self, report: VerificationReport) -> None:
        """Once the scan has ended: the rows left name no search the log holds."""
        self._unclaimed(report, before=None)

    def _unclaimed(self, report: VerificationReport, *, before: int | None) -> None:
        while (upcoming := self._next_search()) is not None and (before is None or upcoming[0] < before):
            _compare_one(upcoming[0], _NO_SEARCH, upcoming[1], report)
            self._taken()


def search_expected(entry: dict[str, Any]) -> _Expected | None:
    """A search event's actor, time and result ids (ValueError and the like if they cannot be read: the
    event is then `unreadable`); None for any other event."""
    if entry["tag"] != AuditTag.SearchPerformed:
        return None
    ids = frozenset(UUID(str(i)) for i in (entry["additional"].get("result_ids") or []))
    return entry["actor_id"], entry["occurred_at"], ids


def _compare_one(
    event_id: int,
    expected: _Expected,
    rows: list[tuple[int | None, UUID, datetime]],
    report: VerificationReport,
) -> None:
    actor_id, occurred_at, ids = expected
    children = {child_id for _, child_id, _ in rows}
    if children - ids:
        report.add(
            "appearance_inserted",
            f"{len(children - ids)} search result row(s) the log does not hold",
            event_id,
        )
    if ids - children:
        report.add("appearance_missing", f"{len(ids - children)} search result row(s) missing", event_id)
    if any(
        row_actor != actor_id or row_at != occurred_at
        for row_actor, child_id, row_at in rows
        if child_id in ids
    ):
        report.add("appearance_edited", "search result rows differ from the search's actor or time", event_id)


def log_verify(
    *,
    heads: list[SignedHead],
    public_key: Ed25519PublicKey,
    now: datetime | None = None,
    max_tail_seconds: float | None = None,
    unreadable: Iterable[Finding] = (),
) -> VerificationReport:
    """Verify the whole log; every problem found is a Finding that names the event where it can.

    Events after the last signed head (the unsigned tail) cannot be checked against a signature: their
    number and the age of the oldest are reported, and an oldest older than `max_tail_seconds`
    (AUDIT_UNSIGNED_TAIL_MAX_SECONDS) is a finding, so the window for rewriting them stays bounded.
    `unreadable`: findings about head files that could not be read (`heads_read`), reported first.
    """
    now = now or timezone.now()
    limit = float(settings.AUDIT_UNSIGNED_TAIL_MAX_SECONDS if max_tail_seconds is None else max_tail_seconds)
    with _one_moment():
        return _log_verify(
            heads=heads, public_key=public_key, now=now, limit=limit, unreadable=list(unreadable)
        )


def _log_verify(
    *,
    heads: list[SignedHead],
    public_key: Ed25519PublicKey,
    now: datetime,
    limit: float,
    unreadable: list[Finding],
) -> VerificationReport:
    """`log_verify`, inside the one moment it reads."""
    report = VerificationReport(heads=len(heads), findings=unreadable)
    horizon_id = max((h.last_event_id for h in heads), default=0)
    tail_oldest: datetime | None = None
    appearances = _AppearanceCheck()
    signed = _heads_check(heads, public_key, report)
    by_size: dict[int, list[SignedHead]] = {}
    for head in heads:
        by_size.setdefault(head.size, []).append(head)
    frontier = merkle.Frontier()
    blocks = _BlockCheck()
    # A deque: one head a minute is half a million a year, and a list's pop(0) moves every one left.
    thresholds = deque(sorted({h.last_event_id for h in heads}))
    counted: dict[int, int] = {}
    gaps: list[tuple[int, int]] = []
    previous_id = 0
    for raw in _rows():
        event_id, stored_leaf = int(raw[0]), raw[7]
        while thresholds and thresholds[0] < event_id:
            counted[thresholds.popleft()] = frontier.size
        try:
            entry = _normalise(raw[:7])
            recomputed = merkle.leaf_hash(entry_bytes(**entry))
            search = search_expected(entry)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            entry = None
            recomputed = merkle.leaf_hash(repr(raw).encode())
            report.add("unreadable", f"stored values cannot be read back ({type(exc).__name__})", event_id)
        else:
            if recomputed.hex() != stored_leaf:
                report.add("edited", "stored columns do not match the entry's leaf hash", event_id)
            appearances.expect(event_id, search, report)
        if event_id > horizon_id:
            report.tail_size += 1
            if entry is not None and (tail_oldest is None or entry["occurred_at"] < tail_oldest):
                tail_oldest = entry["occurred_at"]
        if event_id != previous_id + 1 and len(gaps) < MAX_GAPS:
            gaps.append((previous_id, event_id))
        frontier.append(recomputed)
        blocks.add(recomputed, event_id, report)
        for head in by_size.get(frontier.size, []):
            _head_compare(head, frontier.root(), event_id, report)
        previous_id = event_id
    for threshold in thresholds:
        counted[threshold] = frontier.size
    report.events = frontier.size
    for head in heads:
        if head.size > frontier.size:
            report.add(
                "truncated",
                f"head {head.source} covers {head.size} events but the log holds {frontier.size} "
                f"(last id {previous_id}; the head's last id is {head.last_event_id})",
            )
        elif head.size == 0 and frontier.size == 0 and head.root != merkle.EMPTY_ROOT.hex():
            report.add("root_mismatch", f"head {head.source} is not the empty tree")
        below = counted.get(head.last_event_id, 0)
        if below < head.size:
            report.add(
                "deleted",
                f"{head.size - below} event(s) with ids up to {head.last_event_id} are missing "
                f"(head {head.source} covers {head.size})",
            )
        elif below > head.size:
            report.add(
                "inserted",
                f"{below - head.size} event(s) with ids up to {head.last_event_id} were not in "
                f"head {head.source}",
            )
    appearances.finish(report)
    if tail_oldest is not None:
        report.tail_age_seconds = max((now - tail_oldest).total_seconds(), 0.0)
        if report.tail_age_seconds > limit:
            report.add(
                "unsigned_tail_stale",
                f"{report.tail_size} event(s) after the last signed head, the oldest "
                f"{report.tail_age_seconds:.0f}s old (limit {limit:.0f}s): checkpoints are not running",
            )
    _latest_head_check(signed, now, limit, report)
    if not report.ok:
        horizon = horizon_id
        for before, after in gaps:
            if before < horizon:
                report.add("id_gap", f"no events with ids {before + 1}..{after - 1} (deleted, or never used)")
    return report


def _latest_head_check(
    heads: list[SignedHead], now: datetime, limit: float, report: VerificationReport
) -> None:
    """Fail when nothing has been signed for longer than the tail limit, by the heads' signed clock.

    The tail's own age is read from `occurred_at`, which an attacker with database access rewrites: they
    can stop the signer with one forged row, delete tail events hours old and re-date the rest, and the
    tail looks a minute old. The latest head's signed `issued_at` cannot be moved without the key, and
    the watcher signs one at least every heartbeat (audit.checkpoints.heartbeat_seconds) even when
    nothing is new, so an old latest head means signing stopped, whatever the events say. Only heads
    whose signatures check count (a doctored head file could claim any time).
    """
    issued = [timestamp_parse(h.issued_at) for h in heads]
    if not issued:
        report.add("heads_stale", "no head is signed by the pinned key: nothing after it can be trusted")
        return
    age = (now - max(issued)).total_seconds()
    if age > limit:
        report.add(
            "heads_stale",
            f"the latest signed head was issued {age:.0f}s ago (limit {limit:.0f}s): checkpoints are "
            "not running, so events after it may have been rewritten",
        )


def _head_compare(head: SignedHead, root: bytes, event_id: int, report: VerificationReport) -> None:
    if root.hex() != head.root:
        report.add("root_mismatch", f"the first {head.size} events do not hash to the root of {head.source}")
    if event_id != head.last_event_id:
        report.add(
            "shifted",
            f"event at position {head.size} has id {event_id}, head {head.source} says "
            f"{head.last_event_id}: entries were deleted or inserted before it",
        )
