"""Checkpoints: build the tree head incrementally from cached subtrees, sign it, export it.

Positions in the tree are ranks of events in id order. Only this job does whole-tree work, and only on
what is new since the last checkpoint: complete blocks of 2**AUDIT_SUBTREE_CACHE_LEVEL leaves are
hashed once into `AuditSubtree` (and their parents as they complete), so the root of any size is a fold
of O(log n) cached subtrees plus at most one partial block read from the leaf column.

Events newer than AUDIT_CHECKPOINT_GRACE_SECONDS are left for the next run, so a slow transaction
holding a lower id is not committed after its position was signed (if one ever is, `verify_audit`
reports it as an insertion: a false alarm, never a missed tamper).
"""

import errno
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from audit import merkle
from audit.ledger import WRITER_MARK_BASE, WRITER_MARK_SPAN, canonical_json, timestamp_text
from audit.models import AuditEvent, AuditHead, AuditSubtree
from audit.signing import key_id, signature_valid, signing_key

LOG_ID = "contactpoint-audit/1"
# What a file system that cannot sync a directory answers (`_directory_synced`).
_CANNOT_SYNC_DIRECTORIES = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP})

logger = logging.getLogger(__name__)


def cache_level() -> int:
    return int(getattr(settings, "AUDIT_SUBTREE_CACHE_LEVEL", 8))


def head_statement(*, size: int, root: str, last_event_id: int, issued_at: str) -> bytes:
    """The exact bytes that are signed: the log's name binds a head to this log only."""
    return canonical_json(
        {"log": LOG_ID, "size": size, "root": root, "last_event_id": last_event_id, "issued_at": issued_at}
    ).encode()


class StoredTree:
    """`range_hash` over the stored log, from cached subtrees where complete, leaf hashes otherwise."""

    def __init__(self) -> None:
        self.level = cache_level()
        self._block_leaves: dict[int, list[bytes]] = {}

    def _subtree(self, level: int, index: int) -> bytes:
        node = AuditSubtree.objects.filter(level=level, index=index).values_list("digest", flat=True).first()
        if node is None:
            raise merkle.ProofError(f"subtree {level}/{index} is not checkpointed yet")
        return bytes.fromhex(node)

    def _block(self, block: int) -> list[bytes]:
        if block not in self._block_leaves:
            after = 0
            if block > 0:
                after = (
                    AuditSubtree.objects.filter(level=self.level, index=block - 1)
                    .values_list("last_event_id", flat=True)
                    .first()
                    or 0
                )
            hashes = (
                AuditEvent.objects.filter(id__gt=after).order_by("id").values_list("leaf_hash", flat=True)
            )
            self._block_leaves[block] = [bytes.fromhex(h) for h in hashes[: 1 << self.level]]
        return self._block_leaves[block]

    def _perfect(self, start: int, size: int) -> bytes:
        level = size.bit_length() - 1
        if level >= self.level:
            return self._subtree(level, start >> level)
        block = start >> self.level
        offset = start - (block << self.level)
        leaves = self._block(block)[offset : offset + size]
        if len(leaves) != size:
            raise merkle.ProofError(f"leaves {start}..{start + size} are not in the log")
        return merkle.ListTree(leaves).root()

    def range_hash(self, start: int, end: int) -> bytes:
        """Greedy aligned power-of-two pieces from `start`, joined from the right (see merkle.fold_right)."""
        pieces = []
        position = start
        while position < end:
            size = 1
            while position % (size * 2) == 0 and position + size * 2 <= end:
                size *= 2
            pieces.append(self._perfect(position, size))
            position += size
        return merkle.fold_right(pieces)

    def position_of(self, event_id: int) -> int:
        """The tree position of an event: its cached block, then its rank inside the block."""
        block = (
            AuditSubtree.objects.filter(level=self.level, last_event_id__gte=event_id)
            .order_by("index")
            .values_list("index", flat=True)
            .first()
        )
        if block is None:
            block = AuditSubtree.objects.filter(level=self.level).count()
        after = 0
        if block > 0:
            after = AuditSubtree.objects.get(level=self.level, index=block - 1).last_event_id
        rank = AuditEvent.objects.filter(id__gt=after, id__lt=event_id).count()
        return (block << self.level) + rank


def heartbeat_seconds() -> int:
    """A head is signed at least this often, even over no new events (AUDIT_CHECKPOINT_HEARTBEAT_SECONDS;
    the settings default it to half the tail limit).

    The heads' signed `issued_at` is the only clock an attacker with database access cannot move: event
    timestamps are columns they can rewrite, and they can stop the signer with one forged row. So
    `verify_audit` fails when the latest signed head is older than AUDIT_UNSIGNED_TAIL_MAX_SECONDS,
    and these heartbeat heads keep a quiet log from looking stopped. Half the limit leaves a missed
    beat room before the alarm; a beat is one small file (288 a day at the default limit of 600 s).
    """
    return int(settings.AUDIT_CHECKPOINT_HEARTBEAT_SECONDS)


@dataclass
class Checkpoint:
    head: AuditHead
    created: bool
    exported_to: Path | None = None
    consistency: dict[str, Any] = field(default_factory=dict)


def _cache_new_blocks(horizon_id: int) -> tuple[int, list[bytes], int]:
    """Hash every newly complete block (and the parents it completes); return what is left over.

    Returns (number of complete blocks, leaf hashes of the trailing partial block, last id read).
    """
    level = cache_level()
    block_size = 1 << level
    last = AuditSubtree.objects.filter(level=level).order_by("-index").first()
    blocks = last.index + 1 if last else 0
    after = last.last_event_id if last else 0
    last_id = after
    pending: list[bytes] = []
    new_nodes: list[AuditSubtree] = []
    known: dict[tuple[int, int], bytes] = {}

    def add(node_level: int, index: int, digest: bytes, last_event_id: int) -> None:
        new_nodes.append(
            AuditSubtree(level=node_level, index=index, digest=digest.hex(), last_event_id=last_event_id)
        )
        known[(node_level, index)] = digest
        if index % 2 == 1:
            left = known.get((node_level, index - 1))
            if left is None:
                left = bytes.fromhex(AuditSubtree.objects.get(level=node_level, index=index - 1).digest)
            add(node_level + 1, index // 2, merkle.node_hash(left, digest), last_event_id)

    rows = (
        AuditEvent.objects.filter(id__gt=after, id__lte=horizon_id)
        .order_by("id")
        .values_list("id", "leaf_hash")
        .iterator(chunk_size=20000)
    )
    for event_id, leaf in rows:
        pending.append(bytes.fromhex(leaf))
        last_id = event_id
        if len(pending) == block_size:
            add(level, blocks, merkle.ListTree(pending).root(), event_id)
            blocks += 1
            pending = []
            if len(new_nodes) >= 5000:
                AuditSubtree.objects.bulk_create(new_nodes)
                new_nodes.clear()
    AuditSubtree.objects.bulk_create(new_nodes)
    return blocks, pending, last_id


def _root(size: int, blocks: int, partial: list[bytes]) -> bytes:
    level = cache_level()
    pieces = []
    position = 0
    for bit in range(size.bit_length() - 1, -1, -1):
        piece = 1 << bit
        if not size & piece:
            continue
        if bit >= level:
            digest = AuditSubtree.objects.get(level=bit, index=position >> bit).digest
            pieces.append(bytes.fromhex(digest))
        else:
            offset = position - (blocks << level)
            pieces.append(merkle.ListTree(partial[offset : offset + piece]).root())
        position += piece
    return merkle.fold_right(pieces)


def head_document(head: AuditHead, consistency: dict[str, Any]) -> dict[str, Any]:
    return {
        "statement": {
            "log": LOG_ID,
            "size": head.size,
            "root": head.root,
            "last_event_id": head.last_event_id,
            "issued_at": timestamp_text(head.issued_at),
        },
        "key_id": head.key_id,
        "signature": head.signature,
        "consistency": consistency,
    }


def head_export(head: AuditHead, consistency: dict[str, Any], directory: Path | str | None = None) -> Path:
    """Write the signed head as JSON outside the database (an append-only store or WORM bucket in prod)."""
    target = Path(directory or settings.AUDIT_HEAD_EXPORT_DIR)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"head-{head.size:014d}-{head.pk:08d}.json"
    # A temporary file of this run's own: a second checkpoint may be exporting the same head at this
    # moment (it found the head committed but not yet exported: `_export_missed`), and with one shared
    # name each moved the other's file away, so one crashed after its commit. Named so that
    # `head-*.json` never matches it.
    fd, name = tempfile.mkstemp(dir=target, prefix=f".{path.stem}.", suffix=".tmp")
    tmp = Path(name)
    # Durable: the whole file reaches the disk under its temporary name before it is named a head, and
    # the rename reaches it before the head counts as exported. A power cut then leaves either no head
    # file or the whole one, never the empty or half-written `head-*.json` a plain write could leave
    # (on which every later checkpoint would stop: `head_file_read`).
    try:
        os.fchmod(fd, 0o644)  # a head is public (verifiers read it); mkstemp's 0600 would hide it from them
        with os.fdopen(fd, "w") as handle:
            handle.write(json.dumps(head_document(head, consistency), indent=2, sort_keys=True))
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk leaves no temporary file behind (the head is re-exported)
        raise
    _directory_synced(target)
    return path


def _directory_synced(directory: Path) -> None:
    """The directory's entries (the rename) on disk: without it a power cut can undo the rename.

    Some network and FUSE file systems refuse to sync a directory at all (EINVAL, or not supported).
    Failing there failed every checkpoint after its head was committed and in place; instead it is a
    warning: the rename a power cut may undo is a head file missing, which the next checkpoint exports
    again (`_export_missed`; but not the first head ever signed, whose loss stops signing until the
    operator restores it). A disk error (EIO) is still an error.
    """
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as refused:
        if refused.errno not in _CANNOT_SYNC_DIRECTORIES:
            raise
        logger.warning(
            "cannot sync the head directory (%s): a power cut may undo the newest head's rename;"
            " the next checkpoint exports it again",
            refused.strerror,
        )
    finally:
        os.close(fd)


def head_files(directory: Path | str) -> list[Path]:
    """The exported head files in `directory`, oldest first (names sort by size, then head id): what
    `head_export` names them, read by the checkpoint (the newest) and `verify_audit` (all)."""
    return sorted(Path(directory).glob("head-*.json"))


class HeadFileUnreadable(ValueError):
    """An exported head file that cannot be read as a signed head of this log: empty, cut short, not JSON,
    or not a head. Its message names the file and says what is wrong, in words."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"head file {path.name} {why}")
        self.path = path


def _hex(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return True


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _head_shaped(document: Any) -> bool:
    """Every field a verifier reads, of the type it reads it as (what `head_document` writes)."""
    if not isinstance(document, dict) or not isinstance(document.get("statement"), dict):
        return False
    statement = document["statement"]
    consistency = document.get("consistency") or {}
    return (
        _count(statement.get("size"))
        and _hex(statement.get("root"))
        and _count(statement.get("last_event_id"))
        and isinstance(statement.get("issued_at"), str)  # signed: one that is no time fails its signature
        and isinstance(document.get("key_id"), str)
        and _hex(document.get("signature"))
        and isinstance(consistency, dict)
        and (
            not consistency
            or (
                _count(consistency.get("from_size"))
                and _hex(consistency.get("from_root"))
                and isinstance(consistency.get("proof"), list)
                and all(_hex(p) for p in consistency["proof"])
            )
        )
    )


def head_file_read(path: Path) -> dict[str, Any]:
    """The head document in an exported head file, or `HeadFileUnreadable` saying what is wrong with it.

    Whether it is signed, and by whom, is for the reader to check: this says only that it can be read.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise HeadFileUnreadable(path, f"cannot be read ({type(exc).__name__})") from exc
    if not data.strip():
        raise HeadFileUnreadable(path, "is empty (cut short as it was written: a power cut or a full disk?)")
    try:
        document = json.loads(data)
    except ValueError as exc:  # not JSON, or not UTF-8 text at all
        raise HeadFileUnreadable(
            path, "is not complete JSON (cut short as it was written, or damaged)"
        ) from exc
    statement = document.get("statement") if isinstance(document, dict) else None
    if isinstance(statement, dict) and statement.get("log") != LOG_ID:
        raise HeadFileUnreadable(path, "is not a head of this log")
    if not _head_shaped(document):
        raise HeadFileUnreadable(path, "does not hold a signed head (fields missing or of the wrong kind)")
    return dict(document)


# One checkpoint at a time: two racing jobs could each sign a head over the same previous head.
# PostgreSQL: a transaction-scoped advisory lock. SQLite needs none: the IMMEDIATE transaction mode
# (settings) already takes the database's write lock at BEGIN.
CHECKPOINT_LOCK_ID = 6962


def _hold_checkpoint_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHECKPOINT_LOCK_ID])


def lowest_id_in_flight() -> int | None:
    """PostgreSQL: the lowest event id held by a writer transaction that has not committed yet, or None.

    Read from the writer marks (audit.ledger.next_event_id) in pg_locks: such an id is invisible here
    but will be a position below every id after it once it commits, so nothing from it on may be signed
    yet. The grace period alone cannot promise that (a lock wait or a stalled server outlives any
    timeout), and signing around it shifted every later position for good. Only this database's marks:
    pg_locks lists the whole server's, and a writer in another database holds no position here (it held
    this log's signing back, and past the tail limit failed `heads_stale`). SQLite: none (one writer).
    """
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(((classid::bigint << 32) | objid::bigint) - %s) FROM pg_locks"
            " WHERE locktype = 'advisory' AND objsubid = 1 AND pid <> pg_backend_pid()"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND ((classid::bigint << 32) | objid::bigint) BETWEEN %s AND %s",
            [WRITER_MARK_BASE, WRITER_MARK_BASE, WRITER_MARK_BASE + WRITER_MARK_SPAN - 1],
        )
        (lowest,) = cursor.fetchone()
    return int(lowest) if lowest is not None else None


class HeadTrustError(RuntimeError):
    """The head to extend cannot be trusted: signing stops until a person has run verify_audit and put the
    export directory and the database back in step (running verify_audit alone resumes nothing)."""


def _signed_by(public_key: Ed25519PublicKey, statement: bytes, key: str, signature: str) -> bool:
    return key == key_id(public_key) and signature_valid(public_key, bytes.fromhex(signature), statement)


def _stored_statement(head: AuditHead) -> bytes:
    return head_statement(
        size=head.size,
        root=head.root,
        last_event_id=head.last_event_id,
        issued_at=timestamp_text(head.issued_at),
    )


def _exported_latest() -> dict[str, Any] | None:
    """The newest head document in AUDIT_HEAD_EXPORT_DIR (file names sort by size, then head id).

    One that cannot be read stops signing, naming the file: a head nobody can read is no anchor, and
    passing over it to the one before would let whoever can damage the newest file choose the anchor.
    """
    files = head_files(settings.AUDIT_HEAD_EXPORT_DIR)
    if not files:
        return None
    try:
        return head_file_read(files[-1])
    except HeadFileUnreadable as unreadable:
        raise HeadTrustError(
            f"the newest exported {unreadable}: signing stops rather than build on a head it cannot read."
            " Move that file out of AUDIT_HEAD_EXPORT_DIR (keep it) and run verify_audit; the next checkpoint"
            " exports the database's latest head again if it extends the last readable exported head"
        ) from unreadable


def _export_missed(head: AuditHead, exported: dict[str, Any]) -> None:
    """Export a head signed and committed by a run that stopped before exporting it (heads are exported
    after commit), with its consistency proof from the last exported head, checked on the stored tree."""
    size, root = int(exported["size"]), exported["root"]
    proof = merkle.consistency_proof(size, head.size, StoredTree().range_hash)
    if not merkle.verify_consistency(size, head.size, bytes.fromhex(root), bytes.fromhex(head.root), proof):
        raise HeadTrustError(
            f"the database's latest head (size {head.size}) does not extend the last exported head"
            f" (size {size}): run verify_audit"
        )
    head_export(head, {"from_size": size, "from_root": root, "proof": [p.hex() for p in proof]})


def previous_trusted(public_key: Ed25519PublicKey) -> AuditHead | None:
    """The head a new checkpoint must extend: anchored on the signer's own exported heads.

    The database is what an attacker with database access controls: taking the previous head from it
    unchecked let them rewrite signed history consistently, drop (or forge) the heads and the subtree
    cache, and have the next checkpoint sign the rewrite. So the latest exported head (the signer's own
    store, append-only in production) is the anchor: it must be signed by this key and still be in the
    database (heads are exported after commit, so the database always holds every exported head; one
    missing means heads were deleted or an old backup restored). A database head newer than the anchor
    must carry this key's signature too and is exported now (the run that signed it stopped before
    exporting). Every new head is then proved consistent with the anchor's root, so no rewrite of what
    it covers can be signed.
    """
    stored = AuditHead.objects.order_by("-size", "-id").first()
    if stored is not None and not _signed_by(
        public_key, _stored_statement(stored), stored.key_id, stored.signature
    ):
        raise HeadTrustError(
            f"the database's latest head (size {stored.size}) is not signed by this signer's key: run verify_audit"
        )
    document = _exported_latest()
    if document is None:
        if stored is not None:
            raise HeadTrustError(
                "the database holds signed heads but none is exported to AUDIT_HEAD_EXPORT_DIR: restore the"
                " exported heads, then run verify_audit"
            )
        return None
    exported = document["statement"]
    statement = head_statement(
        size=int(exported["size"]),
        root=exported["root"],
        last_event_id=int(exported["last_event_id"]),
        issued_at=exported["issued_at"],
    )
    if exported.get("log") != LOG_ID or not _signed_by(
        public_key, statement, document["key_id"], document["signature"]
    ):
        raise HeadTrustError("the latest exported head is not signed by this signer's key: run verify_audit")
    anchored = AuditHead.objects.filter(size=int(exported["size"]), signature=document["signature"])
    if stored is None or not anchored.exists():
        raise HeadTrustError(
            f"the last exported head (size {exported['size']}) is not in the database: heads were removed or an"
            " older database restored; run verify_audit. For a backup restored on purpose, move the exported"
            " heads newer than the database's latest head out of AUDIT_HEAD_EXPORT_DIR (keep them: they record"
            " what the restore lost); a new, empty directory is refused like a lost one"
        )
    if stored.signature != document["signature"]:
        _export_missed(stored, exported)
    return stored


def checkpoint_create(*, now: datetime | None = None, export: bool = True) -> Checkpoint:
    """Extend the tree to every event older than the grace period, sign the head and export it."""
    now = now or timezone.now()
    grace = timedelta(seconds=int(getattr(settings, "AUDIT_CHECKPOINT_GRACE_SECONDS", 60)))
    key = signing_key()
    with transaction.atomic():
        _hold_checkpoint_lock()
        previous = previous_trusted(key.public_key())
        horizon = AuditEvent.objects.filter(occurred_at__lte=now - grace).aggregate(top=Max("id"))["top"] or 0
        in_flight = lowest_id_in_flight()
        # Held back: a writer still open holds an id the grace period would already have signed. No
        # heartbeat is signed then, so a stall longer than the tail limit shows as `heads_stale`
        # instead of fresh heads over a tree that no longer advances (heartbeat_seconds says why).
        held_back = in_flight is not None and in_flight <= horizon
        if in_flight is not None and held_back:
            horizon = in_flight - 1
        if previous is not None:
            horizon = max(horizon, previous.last_event_id)
        blocks, partial, last_read = _cache_new_blocks(horizon)
        size = (blocks << cache_level()) + len(partial)
        if (
            previous is not None
            and size == previous.size
            and (held_back or now - previous.issued_at < timedelta(seconds=heartbeat_seconds()))
        ):
            return Checkpoint(previous, created=False)
        if previous is not None and size < previous.size:
            raise RuntimeError("the log is shorter than the last signed head: run verify_audit")
        last_event_id = last_read if partial or blocks else 0
        if not partial and blocks:
            last_event_id = AuditSubtree.objects.get(level=cache_level(), index=blocks - 1).last_event_id
        root = _root(size, blocks, partial)
        consistency: dict[str, Any] = {}
        if previous is not None:
            proof = merkle.consistency_proof(previous.size, size, StoredTree().range_hash)
            if not merkle.verify_consistency(previous.size, size, bytes.fromhex(previous.root), root, proof):
                raise RuntimeError("the new head does not extend the last signed head: run verify_audit")
            consistency = {
                "from_size": previous.size,
                "from_root": previous.root,
                "proof": [p.hex() for p in proof],
            }
        issued_at = now
        statement = head_statement(
            size=size, root=root.hex(), last_event_id=last_event_id, issued_at=timestamp_text(issued_at)
        )
        head = AuditHead.objects.create(
            size=size,
            root=root.hex(),
            last_event_id=last_event_id,
            issued_at=issued_at,
            key_id=key_id(key.public_key()),
            signature=key.sign(statement).hex(),
        )
    exported = head_export(head, consistency) if export else None
    return Checkpoint(head, created=True, exported_to=exported, consistency=consistency)


def inclusion_proof_for(event_id: int, head: AuditHead) -> tuple[int, list[bytes]]:
    """(position, audit path) proving that event `event_id` is in the tree of `head`."""
    tree = StoredTree()
    position = tree.position_of(event_id)
    return position, merkle.inclusion_proof(position, head.size, tree.range_hash)


def consistency_proof_between(first: AuditHead, second: AuditHead) -> list[bytes]:
    return merkle.consistency_proof(first.size, second.size, StoredTree().range_hash)


@dataclass(frozen=True)
class UnsignedTail:
    """Events after the last signed head: until the next head they can be rewritten undetectably."""

    size: int
    oldest_at: datetime | None

    def age_seconds(self, now: datetime) -> float:
        return (now - self.oldest_at).total_seconds() if self.oldest_at is not None else 0.0


def unsigned_tail() -> UnsignedTail:
    """The events after the latest head in the database (verify_audit measures against exported heads)."""
    latest = AuditHead.objects.order_by("-size", "-id").values_list("last_event_id", flat=True).first()
    tail = AuditEvent.objects.filter(id__gt=latest or 0)
    oldest = tail.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    return UnsignedTail(size=tail.count(), oldest_at=oldest)


def checkpoint_due(*, now: datetime | None = None) -> bool:
    """After AUDIT_CHECKPOINT_EVERY_EVENTS unsigned events or AUDIT_CHECKPOINT_EVERY_SECONDS of waiting,
    and whenever the latest head is a heartbeat old."""
    now = now or timezone.now()
    latest = AuditHead.objects.order_by("-size", "-id").values_list("issued_at", flat=True).first()
    if latest is not None and (now - latest).total_seconds() >= heartbeat_seconds():
        return True  # a heartbeat head, new events or not (heartbeat_seconds says why)
    tail = unsigned_tail()
    if tail.size == 0:
        return False
    return tail.size >= int(settings.AUDIT_CHECKPOINT_EVERY_EVENTS) or tail.age_seconds(now) >= int(
        settings.AUDIT_CHECKPOINT_EVERY_SECONDS
    )


def checkpoint_watch(
    *,
    rounds: int | None = None,
    interval: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    on_signed: Callable[[Checkpoint], None] | None = None,
) -> None:
    """Sign heads for as long as it runs (`rounds` for tests): checks every `interval` seconds.

    A due checkpoint covers what is past the grace period, so a burst is signed over a few rounds.
    """
    done = 0
    while rounds is None or done < rounds:
        if checkpoint_due():
            checkpoint = checkpoint_create()
            if checkpoint.created and on_signed is not None:
                on_signed(checkpoint)
        done += 1
        sleep(interval)
