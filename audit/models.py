"""The audit log: append-only rows that never hold personal data (ids and blind tokens only).

`AuditEvent.leaf_hash` is the RFC 6962 leaf hash of the row's canonical bytes (audit.ledger), written
with the row, so a checkpoint never has to re-serialise history. `AuditSubtree` caches hashes of
complete power-of-two subtrees so checkpoints and proofs are incremental; `AuditHead` keeps each signed
tree head (the exported files outside the database are the copies that count).
"""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(db_index=True)
    tag = models.CharField(max_length=64, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    organisation_id = models.IntegerField(null=True, help_text="actor's organisation at the time")
    child_id = models.UUIDField(null=True, db_index=True, help_text="no FK: the log outlives purged records")
    additional = models.JSONField(default=dict)
    leaf_hash = models.CharField(max_length=64, default="", help_text="SHA-256(0x00 || canonical entry), hex")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["actor", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.id} {self.tag}"


class AuditSubtree(models.Model):
    """Hash of the complete subtree of 2**level leaves starting at leaf index * 2**level.

    `last_event_id` maps tree positions back to event ids (positions are ranks in id order).
    """

    id = models.BigAutoField(primary_key=True)
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    digest = models.CharField(max_length=64)
    last_event_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="audit_subtree_unique")]
        indexes = [models.Index(fields=["level", "last_event_id"])]

    def __str__(self) -> str:
        return f"subtree {self.level}/{self.index}"


class AuditHead(models.Model):
    """A signed tree head: the root over the first `size` events (up to `last_event_id`)."""

    id = models.BigAutoField(primary_key=True)
    size = models.BigIntegerField(db_index=True)
    root = models.CharField(max_length=64)
    last_event_id = models.BigIntegerField()
    issued_at = models.DateTimeField()
    key_id = models.CharField(max_length=32)
    signature = models.CharField(max_length=128, help_text="Ed25519 over the canonical statement, hex")

    class Meta:
        ordering = ["size", "id"]

    def __str__(self) -> str:
        return f"head {self.size}"
