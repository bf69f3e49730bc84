"""Key rotation: re-wrap every data key under a new KEK, optionally giving each owner a fresh DEK.

Resumable by construction: the work left is "live data keys under a KEK older than the target", so a
run that crashes leaves some keys done and some not, and the next run simply carries on (it starts a
new rotation only when no earlier one is unfinished, i.e. no key left behind opens). Each batch is one
transaction that locks its keys (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions
serialise writers), so a key is never half rotated and a concurrent shred is never undone.

Overlapping runs: a run can be overtaken between two batches by a newer one (started once nothing was
left of its own rotation) that makes a newer KEK current. Each batch first checks, holding the DataKey
table in the writers' lock mode (WRITER_LOCK, which a KEK change's lock waits for), that its target is
still the current KEK, and raises RotationSuperseded if not: an older run never takes keys the newer one
re-wrapped back under its superseded KEK, and no KEK can become current while a batch is writing.

A key the provider refuses as revoked is a shred whose database write did not follow (the shred revokes
first, fail closed): rotation records it as shredded, which is what that write would have done. A key
that fails to open for any other reason is left as it is, reported, and keeps its KEK from retirement.
With `--rotate-deks`, an owner one of whose sealed fields does not open under its key (damaged, or
copied in from elsewhere) keeps its DEK, re-wrapped under the new KEK, and is reported: one bad row
must not roll every batch that reaches it back and so stop the rotation (and KEK retirement) for all.
Starting a rotation and retiring KEKs hold KEK_CHANGE_LOCK (`vault.keys`), so two runs never both add a
KEK and a retirement never destroys the KEK of a key being inserted.

Online against writers: a write seals under its owner's key locked FOR KEY SHARE and followed to the key
in use (`vault.keys.data_key_for_write`). A batch skips, rather than waits for, a key a write holds and
a key whose rows a write has locked, and takes it in a later batch: it never holds a key a writer waits
for while itself waiting for that writer's row, so the two cannot deadlock.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models, router, transaction
from django.utils import timezone

from vault.crypto import DecryptionFailed, KeyRevoked
from vault.keys import KEK_CHANGE_LOCK, WRITER_LOCK, data_key_build, data_key_open, data_key_table_lock
from vault.models import DataKey
from vault.providers import key_provider
from vault.registry import SealedModel, sealed_models
from vault.sealing import Sealer

KEY_ID = "vault_key_id"


class RotationSuperseded(RuntimeError):
    """A batch's target KEK is no longer current: a newer rotation started, and re-wraps every key left."""

    def __init__(self, *, target: int, current: int) -> None:
        super().__init__(f"rotation to KEK v{target} superseded by a newer rotation to KEK v{current}")
        self.target, self.current = target, current


def _pending(target: int) -> "models.QuerySet[DataKey]":
    """Live keys under a KEK older than `target`: a key under a newer one is never work for this rotation."""
    return DataKey.objects.filter(shredded_at__isnull=True, kek_version__lt=target)


def _kek_change() -> transaction.Atomic:
    return transaction.atomic(using=router.db_for_write(DataKey))


def rotation_start() -> tuple[int, bool]:
    """The KEK version to rotate to, and whether a new one was created (False: resuming).

    Under KEK_CHANGE_LOCK: a second `rotate_keys` started at the same time waits, then resumes this one.
    """
    with _kek_change():
        data_key_table_lock(KEK_CHANGE_LOCK)
        provider = key_provider()
        current = provider.current_kek_version()
        if _unfinished(current):
            return current, False
        return provider.add_kek(), True


def _unfinished(current: int) -> bool:
    """Whether a rotation to `current` was left unfinished: a live key under an older KEK that opens.

    A key that does not open (damaged, or revoked by a shred whose database write failed) is reported and
    left by every run that meets it, so counting it as work left made every later run "resume" a rotation
    with nothing to do and never add a KEK: after a suspected copy of the key file, the copied KEK stayed
    current. Keys are tried in order until one opens; a crashed rotation's first one normally does.
    """
    for key in _pending(current).order_by("pk").iterator():
        try:
            data_key_open(key)
        except DecryptionFailed:  # KeyRevoked included: the new rotation's batch records it as shredded
            continue
        return True
    return False


def rotation_pending(target: int) -> int:
    return _pending(target).count()


@dataclass
class BatchResult:
    rewrapped: int = 0
    replaced: int = 0
    rows_resealed: dict[str, int] = field(default_factory=dict)
    revoked: int = 0  # refused by the provider as shredded: now recorded as shredded
    unreadable: list[Any] = field(default_factory=list)  # ids of keys left as they were
    busy: int = 0  # keys (or their rows) a write held: left for a later batch
    dek_kept: list[Any] = field(default_factory=list)  # ids of keys re-wrapped but not replaced: a row
    # sealed under the key did not open (damaged, or moved there), so it could not be re-sealed

    @property
    def taken(self) -> int:
        """Keys this batch dealt with one way or another: 0 (and none busy) means the rotation is done."""
        return self.rewrapped + self.revoked + len(self.unreadable)


def _owned_rows(
    keys: list[DataKey], sealed: list[SealedModel]
) -> tuple[dict[Any, list[tuple[SealedModel, Any]]], set[Any]]:
    """Every sealed row under these keys, grouped by key id and locked (read before any row moves key),
    and the ids of keys some of whose rows a write has locked (skipped: those keys wait for a later batch).
    """
    rows: dict[Any, list[tuple[SealedModel, Any]]] = defaultdict(list)
    busy: set[Any] = set()
    for spec in sealed:
        under = spec.model._default_manager.filter(**{f"{spec.key_path}__in": keys})
        stored = dict(under.values_list(spec.key_path).annotate(n=models.Count("pk")).order_by())
        locked = (
            under.select_for_update(skip_locked=True, of=("self",))
            .annotate(**{KEY_ID: models.F(spec.key_path)})
            .order_by("pk")
        )
        found: dict[Any, int] = defaultdict(int)
        for row in locked:
            rows[getattr(row, KEY_ID)].append((spec, row))
            found[getattr(row, KEY_ID)] += 1
        busy.update(key_id for key_id, count in stored.items() if found[key_id] != count)
    return rows, busy


def _replace(
    old: DataKey, old_dek: bytes, rows: list[tuple[SealedModel, Any]], result: BatchResult
) -> tuple[DataKey, dict[SealedModel, list[Any]]]:
    """A fresh DEK for one owner: every sealed field re-encrypted under it (in memory)."""
    new, new_dek = data_key_build()
    before, after = Sealer(old, old_dek), Sealer(new, new_dek)
    # Every value read before any row is changed: a field that does not open raises here, and the rows
    # (and the owner's key) are left exactly as they were.
    values = [
        {column: before.unseal(row, column) for column in spec.columns if getattr(row, column)}
        for spec, row in rows
    ]
    touched: dict[SealedModel, list[Any]] = defaultdict(list)
    for (spec, row), opened in zip(rows, values, strict=True):
        if spec.owns_key:
            setattr(row, spec.key_path, new)
        for column, value in opened.items():
            after.seal(row, column, value)
        touched[spec].append(row)
        label = spec.model._meta.label
        result.rows_resealed[label] = result.rows_resealed.get(label, 0) + 1
    old.superseded_by = new
    return new, touched


def _opened(keys: list[DataKey], result: BatchResult) -> dict[Any, bytes]:
    """The DEK of each key that opens; a revoked key is recorded as shredded, any other failure noted."""
    deks: dict[Any, bytes] = {}
    revoked: list[DataKey] = []
    for key in keys:
        try:
            deks[key.pk] = data_key_open(key)
        except KeyRevoked:
            revoked.append(key)
        except DecryptionFailed:
            result.unreadable.append(key.pk)
    now = timezone.now()
    for key in revoked:  # what the shred's own database write would have done (data_key_shred)
        key.wrapped, key.shredded_at = b"", now
    DataKey.objects.bulk_update(revoked, ["wrapped", "shredded_at"])
    result.revoked = len(revoked)
    return deks


def rotation_batch(
    *, target: int, size: int, rotate_deks: bool = False, exclude: frozenset[Any] = frozenset()
) -> BatchResult:
    """Rotate up to `size` pending keys in one transaction; `taken == 0` means the rotation is done.

    `exclude`: ids of keys an earlier batch of this run could not open, so they are not taken again.
    Raises RotationSuperseded, having changed nothing, if `target` is no longer the current KEK.
    """
    result = BatchResult()
    with _kek_change():
        # The writers' mode, not KEK_CHANGE_LOCK itself: it holds off a KEK change (a rotation start, a
        # retirement) until this batch commits, so the KEK read here stays current while the batch writes,
        # yet lets writers insert keys meanwhile (as `vault.keys.data_keys_fenced` does).
        data_key_table_lock(WRITER_LOCK)
        current = key_provider().current_kek_version()
        if current != target:
            raise RotationSuperseded(target=target, current=current)
        ids = list(
            _pending(target).exclude(pk__in=exclude).order_by("pk").values_list("pk", flat=True)[:size]
        )
        keys = list(
            DataKey.objects.select_for_update(skip_locked=True).filter(pk__in=ids, shredded_at__isnull=True)
        )
        result.busy = len(set(ids) - {k.pk for k in keys})
        if not keys:
            return result
        deks = _opened(keys, result)
        keys = [k for k in keys if k.pk in deks]
        new_keys: list[DataKey] = []
        touched: dict[SealedModel, list[Any]] = defaultdict(list)
        if rotate_deks:
            sealed = sealed_models()
            owned, busy = _owned_rows([k for k in keys if k.superseded_by_id is None], sealed)
            keys = [k for k in keys if k.pk not in busy]
            result.busy += len(busy)
            for key in keys:
                if key.superseded_by_id is None and owned.get(key.pk):
                    try:
                        new, rows = _replace(key, deks[key.pk], owned[key.pk], result)
                    except DecryptionFailed:  # a row under it is damaged or moved: keep its DEK, re-wrap it
                        result.dek_kept.append(key.pk)
                        continue
                    new_keys.append(new)
                    for spec, spec_rows in rows.items():
                        touched[spec].extend(spec_rows)
        provider = key_provider()
        for key in keys:
            key.wrapped = provider.wrap(deks[key.pk], key_id=str(key.id), version=target)
            key.kek_version = target
        DataKey.objects.bulk_create(new_keys)
        for spec, changed in touched.items():
            columns = [*spec.columns, spec.key_path] if spec.owns_key else list(spec.columns)
            spec.model._default_manager.bulk_update(changed, columns)
        DataKey.objects.bulk_update(keys, ["wrapped", "kek_version", "superseded_by"])
        result.rewrapped = len(keys)
        result.replaced = len(new_keys)
    return result


def keks_retire_unused() -> list[int]:
    """Destroy every non-current KEK that no live data key is wrapped under; returns the versions.

    Retiring makes every older backup's copy of the DEKs wrapped under those KEKs undecryptable: that
    completes crypto-shredding for backups, and it means a backup older than the retirement can no
    longer be restored, so retirement follows the backup retention schedule (docs/SECURITY.md).

    Under KEK_CHANGE_LOCK, so every DataKey insert in progress has committed (and is counted) and none
    starts until the retirement is done: a key wrapped under a KEK before its retirement is re-wrapped at
    its insert (`vault.keys.data_keys_fenced`), never stored under a destroyed KEK.
    """
    provider = key_provider()
    retired = []
    with _kek_change():
        data_key_table_lock(KEK_CHANGE_LOCK)
        current = provider.current_kek_version()
        for version in provider.kek_versions():
            if version == current or _live_under(version).exists():
                continue
            provider.retire_kek(version)
            retired.append(version)
    return retired


def _live_under(version: int) -> "models.QuerySet[DataKey]":
    return DataKey.objects.filter(kek_version=version, shredded_at__isnull=True)


def keks_kept() -> dict[int, int]:
    """Each old KEK still in the provider, with how many live data keys are wrapped under it."""
    provider = key_provider()
    current = provider.current_kek_version()
    return {v: _live_under(v).count() for v in provider.kek_versions() if v != current}
