"""Wrapped data keys. Each child has one; destroying it shreds every copy of that child's data."""

import uuid

from django.db import models


class DataKey(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped = models.BinaryField()
    kek_version = models.PositiveIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"DataKey {self.id} (KEK v{self.kek_version})"


class SealedField(models.BinaryField):
    """A column holding AES-GCM ciphertext of one personal field; only the vault can read it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
