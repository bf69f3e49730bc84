"""Key rotation: re-wrap every data key under a new KEK, optionally giving each owner a fresh DEK.

Resumable by construction: the work left is "live data keys whose KEK version is not the target",
so a run that crashes leaves some keys done and some not, and the next run simply carries on (it
starts a new rotation only when no earlier one is unfinished). Each batch is one transaction that
locks its keys (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions serialise
writers), so a key is never half rotated and a concurrent shred is never undone.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from vault.keys import data_key_build, data_key_open, data_key_rewrapped
from vault.models import DataKey
from vault.providers import key_provider
from vault.registry import SealedModel, sealed_models
from vault.sealing import Sealer

KEY_ID = "vault_key_id"


def _pending(target: int) -> "models.QuerySet[DataKey]":
    return DataKey.objects.filter(shredded_at__isnull=True).exclude(kek_version=target)


def rotation_start() -> tuple[int, bool]:
    """The KEK version to rotate to, and whether a new one was created (False: resuming)."""
    provider = key_provider()
    current = provider.current_kek_version()
    if _pending(current).exists():
        return current, False
    return provider.add_kek(), True


def rotation_pending(target: int) -> int:
    return _pending(target).count()


@dataclass
class BatchResult:
    rewrapped: int = 0
    replaced: int = 0
    rows_resealed: dict[str, int] = field(default_factory=dict)


def _owned_rows(keys: list[DataKey], sealed: list[SealedModel]) -> dict[Any, list[tuple[SealedModel, Any]]]:
    """Every sealed row under these keys, grouped by key id (read before any row moves key)."""
    rows: dict[Any, list[tuple[SealedModel, Any]]] = defaultdict(list)
    for spec in sealed:
        queryset = spec.model._default_manager.filter(**{f"{spec.key_path}__in": keys}).annotate(
            **{KEY_ID: models.F(spec.key_path)}
        )
        for row in queryset.order_by("pk"):
            rows[getattr(row, KEY_ID)].append((spec, row))
    return rows


def _replace(
    old: DataKey, rows: list[tuple[SealedModel, Any]], result: BatchResult
) -> tuple[DataKey, dict[SealedModel, list[Any]]]:
    """A fresh DEK for one owner: every sealed field re-encrypted under it (in memory)."""
    new, new_dek = data_key_build()
    before, after = Sealer(old, data_key_open(old)), Sealer(new, new_dek)
    touched: dict[SealedModel, list[Any]] = defaultdict(list)
    for spec, row in rows:
        if spec.owns_key:
            setattr(row, spec.key_path, new)
        for column in spec.columns:
            if getattr(row, column):
                after.seal(row, column, before.unseal(row, column))
        touched[spec].append(row)
        label = spec.model._meta.label
        result.rows_resealed[label] = result.rows_resealed.get(label, 0) + 1
    old.superseded_by = new
    return new, touched


def rotation_batch(*, target: int, size: int, rotate_deks: bool = False) -> BatchResult:
    """Rotate up to `size` pending keys in one transaction; an empty result means the rotation is done."""
    result = BatchResult()
    with transaction.atomic():
        ids = list(_pending(target).order_by("pk").values_list("pk", flat=True)[:size])
        keys = list(DataKey.objects.select_for_update().filter(pk__in=ids, shredded_at__isnull=True))
        if not keys:
            return result
        new_keys: list[DataKey] = []
        touched: dict[SealedModel, list[Any]] = defaultdict(list)
        if rotate_deks:
            sealed = sealed_models()
            owned = _owned_rows([k for k in keys if k.superseded_by_id is None], sealed)
            for key in keys:
                if key.superseded_by_id is None and owned.get(key.pk):
                    new, rows = _replace(key, owned[key.pk], result)
                    new_keys.append(new)
                    for spec, spec_rows in rows.items():
                        touched[spec].extend(spec_rows)
        for key in keys:
            data_key_rewrapped(key, to_version=target)
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
    """
    provider = key_provider()
    current = provider.current_kek_version()
    retired = []
    for version in provider.kek_versions():
        if version == current:
            continue
        if DataKey.objects.filter(kek_version=version, shredded_at__isnull=True).exists():
            continue
        provider.retire_kek(version)
        retired.append(version)
    return retired
