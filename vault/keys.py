"""Data-key lifecycle: create, open (unwrap), rewrap under a new KEK, replace, shred."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from rowlocks.held import Strength, row_held
from vault import crypto
from vault.models import DataKey
from vault.providers import key_provider


class KeyShredded(crypto.DecryptionFailed):
    """The data key was destroyed: the data it protected is gone for good."""


class KeyChainBroken(crypto.DecryptionFailed):
    """A data key's `superseded_by` chain comes back to a key it has passed: a damaged database, since
    rotation only ever points a key at a fresh one. Refused, like a key that does not open."""


@dataclass(frozen=True, slots=True)
class NewDataKey:
    """A fresh DEK, wrapped for the DataKey row `id`: the columns of that row, no model instance.

    The DEK is left out of its printing: one log call or error report of it would open the child's record.
    """

    id: uuid.UUID
    kek_version: int
    wrapped: bytes
    dek: bytes = field(repr=False)


def data_key_new() -> NewDataKey:
    """A new DEK wrapped under the current KEK: what `data_key_build` saves, for loaders writing rows."""
    provider = key_provider()
    version = provider.current_kek_version()
    key_id = uuid.uuid4()
    dek = crypto.new_key()
    return NewDataKey(key_id, version, provider.wrap(dek, key_id=str(key_id), version=version), dek)


@dataclass(frozen=True, slots=True)
class WrappedDataKey:
    """A DataKey row's columns read as plain values, no model instance: a search or a feed row opens
    the keys of hundreds of candidates, and a model instance each costs more than the unwrap. Opened and
    used by `Sealer` exactly as a DataKey is (same checks, same AAD key id)."""

    id: uuid.UUID
    kek_version: int
    wrapped: bytes | None
    shredded_at: datetime | None

    @property
    def pk(self) -> uuid.UUID:
        return self.id


def data_key_row(new: NewDataKey) -> DataKey:
    """The unsaved DataKey of a new DEK, carrying the DEK so its insert can re-wrap it if need be."""
    key = DataKey(id=new.id, kek_version=new.kek_version, wrapped=new.wrapped)
    key.dek = new.dek
    return key


def data_key_build() -> tuple[DataKey, bytes]:
    """A new unsaved DataKey and its plaintext DEK (so bulk loaders can insert many at once)."""
    new = data_key_new()
    return data_key_row(new), new.dek


# PostgreSQL table locks on vault_datakey, held to the end of the caller's transaction. Every insert of a
# DataKey takes WRITER_LOCK (what an INSERT takes anyway, so writers never wait on each other); adding or
# retiring a KEK takes KEK_CHANGE_LOCK, which waits for every writer in progress and holds new ones off
# while it decides. SQLite needs none: its IMMEDIATE transactions already serialise every writer.
WRITER_LOCK = "ROW EXCLUSIVE"
KEK_CHANGE_LOCK = "SHARE ROW EXCLUSIVE"


def data_key_table_lock(mode: str) -> None:
    """Lock the DataKey table in `mode` until the current transaction ends (PostgreSQL; call in atomic)."""
    connection = connections[router.db_for_write(DataKey)]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(DataKey._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN {mode} MODE")


def data_keys_fenced(keys: Sequence[DataKey]) -> None:
    """Re-wrap, under the current KEK, each key about to be inserted that was wrapped under an older one.

    A writer wraps a new DEK, then seals, checks and saves: `rotate_keys --retire` may run meanwhile and
    destroy that KEK, since no committed key used it. Called in the inserting transaction under
    WRITER_LOCK, so the KEK read here stays until the insert commits (a retirement waits for the commit
    and then sees the row). A key whose KEK is gone and whose DEK the caller did not carry cannot be
    re-wrapped: `data_key_open` raises and the insert fails, rather than store a key that opens nothing.
    """
    data_key_table_lock(WRITER_LOCK)
    provider = key_provider()
    current = provider.current_kek_version()
    for key in keys:
        dek, key.dek = key.dek, None
        if key.shredded_at is not None or not key.wrapped or key.kek_version == current:
            continue
        if dek is None:
            dek = data_key_open(key)
        key.wrapped = provider.wrap(dek, key_id=str(key.id), version=current)
        key.kek_version = current


class SealedOutsideTransaction(RuntimeError):
    """A write sealed a value outside a transaction of its own: its key could change before the save."""


def _in_own_transaction(connection: BaseDatabaseWrapper) -> bool:
    """Inside an atomic block the code opened itself, not only a test case's wrapping one.

    Django's own `durable` check tells the two apart the same way (`Atomic._from_testcase`); without it
    every test would count as "in a transaction" and a writer sealing before its `atomic()` would pass.
    """
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def data_key_for_write(key: DataKey | WrappedDataKey) -> DataKey:
    """The owner's current data key, held until the caller's transaction ends: what a write seals under.

    A write loads a child (and its key), then seals and saves; `rotate_keys --rotate-deks` may meanwhile
    give the child a new DEK and re-seal its rows, so a value sealed under the key as loaded would be one
    the record no longer opens. Here, inside the writing transaction, the key row is locked (FOR KEY
    SHARE on PostgreSQL: writers never wait on each other, a rotation batch's FOR UPDATE waits for them
    and they for it; SQLite's IMMEDIATE transactions serialise every writer anyway) and `superseded_by`
    followed to the key now in use, locking each. A rotation that committed first is seen (READ
    COMMITTED re-reads the row a lock waited on); one that starts later skips this key until the write
    has committed, then re-seals what it wrote.
    """
    connection = connections[router.db_for_write(DataKey)]
    if not _in_own_transaction(connection):
        raise SealedOutsideTransaction("seal inside the transaction that saves the row")
    key_id = key.pk
    passed: set[object] = set()
    while True:
        _passing(key_id, passed)
        row_held(DataKey, key_id, strength=Strength.KEY_SHARE, using=connection.alias)
        current = DataKey.objects.get(pk=key_id)
        if current.superseded_by_id is None:
            return current
        key_id = current.superseded_by_id


def data_key_current(key: DataKey | WrappedDataKey) -> DataKey:
    """The key now in use by the owner of `key`: `superseded_by` followed to its end (no lock: a read)."""
    current = DataKey.objects.get(pk=key.pk)
    passed: set[object] = {current.pk}
    while current.superseded_by_id is not None:
        _passing(current.superseded_by_id, passed)
        current = DataKey.objects.get(pk=current.superseded_by_id)
    return current


def _passing(key_id: object, passed: set[object]) -> None:
    """Note a key a walk along `superseded_by` reaches; a key reached twice is a loop (`KeyChainBroken`),
    which would otherwise be followed for ever, holding the walker's locks."""
    if key_id in passed:
        raise KeyChainBroken(f"data key {key_id} comes round again in its superseded_by chain")
    passed.add(key_id)


def data_key_open(key: DataKey | WrappedDataKey) -> bytes:
    if key.shredded_at is not None or not key.wrapped:
        raise KeyShredded(f"data key {key.id} has been shredded")
    return key_provider().unwrap(bytes(key.wrapped), key_id=str(key.id), version=key.kek_version)


def data_key_rewrapped(key: DataKey, *, to_version: int) -> DataKey:
    """Re-wrap in memory under another KEK without touching the data it protects (caller saves)."""
    dek = data_key_open(key)
    key.wrapped = key_provider().wrap(dek, key_id=str(key.id), version=to_version)
    key.kek_version = to_version
    return key


def data_key_rewrap(key: DataKey, *, to_version: int) -> None:
    """Re-wrap one key under another KEK and save it."""
    data_key_rewrapped(key, to_version=to_version)
    key.save(update_fields=["wrapped", "kek_version"])


def data_key_chain(key: DataKey) -> list[DataKey]:
    """The key and every key it superseded (oldest last): all of one owner's DEKs (`KeyChainBroken` if
    the chain loops)."""
    chain = [key]
    passed: set[object] = {key.pk}
    frontier = [key.pk]
    while frontier:
        older = list(DataKey.objects.filter(superseded_by__in=frontier))
        for k in older:
            _passing(k.pk, passed)
        chain.extend(older)
        frontier = [k.pk for k in older]
    return chain


def data_key_shred(key: DataKey) -> int:
    """Destroy the key and every key it superseded; returns how many were destroyed.

    `key` may be one a DEK rotation has replaced since it was loaded: the owner's current key is found
    (and locked) first, so the chain destroyed is always the whole of it.
    The wrapped DEK is erased from the live database, and the provider is told to refuse it, because
    a backup taken earlier still holds the wrapped bytes. The provider is told first: if the database
    write then fails, the data is unreadable rather than left readable (fail closed). The copies in
    old backups become cryptographically dead when their KEK version is retired (`rotate_keys --retire`).
    """
    with transaction.atomic(using=router.db_for_write(DataKey)):
        chain = [k for k in data_key_chain(_data_key_locked_current(key)) if k.shredded_at is None]
        key_provider().revoke(str(k.pk) for k in chain)
        now = timezone.now()
        for k in chain:
            k.wrapped = b""
            k.shredded_at = now
        DataKey.objects.bulk_update(chain, ["wrapped", "shredded_at"])
    key.refresh_from_db(fields=["wrapped", "shredded_at"])
    return len(chain)


def _data_key_locked_current(key: DataKey) -> DataKey:
    """The key now in use by the owner of `key`, each key on the way locked (call in atomic).

    A shred is handed the key its caller loaded: `rotate_keys --rotate-deks` may since have given the
    owner a fresh DEK and re-sealed every row under it, so shredding the chain of the key as loaded would
    leave the key the data is sealed under now alive. A rotation batch holding the key is waited for (its
    commit is then seen: READ COMMITTED re-reads a row a lock waited on); one that starts later skips the
    locked key and finds it shredded.

    FOR NO KEY UPDATE, the lock the shred's own UPDATE takes anyway: it waits for a rotation batch (FOR
    UPDATE) but not for writers (FOR KEY SHARE), as FOR UPDATE would, and deadlock with a writer that
    holds the key and waits for the child's row the purge has locked (`children.services.child_rows_locked`).
    """
    key_id = key.pk
    passed: set[object] = set()
    while True:
        _passing(key_id, passed)
        current = DataKey.objects.select_for_update(no_key=True).get(pk=key_id)
        if current.superseded_by_id is None:
            return current
        key_id = current.superseded_by_id
