"""Wrapped data keys. Each child has one; destroying it shreds every copy of that child's data."""

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models, router, transaction


class DataKeyManager(models.Manager["DataKey"]):
    """Inserts many keys, each wrapped under the KEK current at the insert (`vault.keys.data_keys_fenced`)."""

    def bulk_create(self, objs: Iterable["DataKey"], *args: Any, **kwargs: Any) -> list["DataKey"]:
        from vault.keys import data_keys_fenced  # vault.keys imports this module

        keys = list(objs)
        with transaction.atomic(using=router.db_for_write(DataKey)):
            data_keys_fenced(keys)
            return super().bulk_create(keys, *args, **kwargs)


class DataKey(models.Model):
    """One data key (DEK), stored only wrapped by a KEK that lives outside the database.

    The id doubles as the DEK's version: a fresh DEK is always a new row, and field AADs bind the id,
    so a ciphertext can only be read under the exact DEK it was sealed with. After a DEK rotation the
    old row is kept (`superseded_by` set) only so sealed notes in the append-only audit log stay
    readable; shredding a child shreds the whole chain.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped = models.BinaryField()
    kek_version = models.PositiveIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    shredded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="predecessors"
    )

    objects = DataKeyManager()

    # The plaintext DEK of a key not yet inserted (`vault.keys.data_key_row`), never a column: lets the
    # insert re-wrap it if its KEK was superseded (or retired) since it was wrapped. Cleared on insert.
    dek: bytes | None = None

    def __str__(self) -> str:
        return f"DataKey {self.id} (KEK v{self.kek_version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """An insert is fenced against KEK retirement (`vault.keys.data_keys_fenced`); updates are not."""
        if not self._state.adding:
            super().save(*args, **kwargs)
            return
        from vault.keys import data_keys_fenced  # vault.keys imports this module

        with transaction.atomic(using=router.db_for_write(DataKey)):
            data_keys_fenced([self])
            super().save(*args, **kwargs)


class SealedField(models.BinaryField):
    """A column holding AES-GCM ciphertext of one personal field; only the vault can read it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
