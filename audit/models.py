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
        indexes = [
            models.Index(fields=["actor", "occurred_at"]),
            models.Index(fields=["tag", "occurred_at"], name="audit_event_tag_time"),
            # An LA team's reports: what its organisations' staff did in a period (`reports.reports`).
            models.Index(fields=["organisation_id", "occurred_at"], name="audit_event_org_time"),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.tag}"


class SearchAppearance(models.Model):
    """One child returned by one audited search: a derived index of `result_ids`, for reports.

    Why a table rather than a query over JSON: "was this child in an earlier search by this user?"
    must be answered for every record view in a report. JSON containment differs between PostgreSQL
    (jsonb `@>`) and SQLite (json_each), is not indexable on SQLite, and on PostgreSQL needs a GIN
    index over every event's `additional`. One narrow row per returned child (at most
    SEARCH_RESULT_CAP per search), indexed by (child, actor, event), turns the question into one
    index probe on both databases.

    Not part of the signed log: it is written by `event_record` in the search's own transaction and can
    be rebuilt from the log at any time (`audit.services.search_appearances_rebuild`), so tampering
    with it cannot hide anything the verified log holds.
    """

    id = models.BigAutoField(primary_key=True)
    event = models.ForeignKey(AuditEvent, on_delete=models.DO_NOTHING, related_name="+")
    actor_id = models.IntegerField(null=True)
    child_id = models.UUIDField()
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["child_id", "actor_id", "event"], name="audit_appearance_lookup"),
            # Misuse screening counts the distinct children one user's searches returned in the last hour.
            models.Index(fields=["actor_id", "occurred_at"], name="audit_appearance_by_actor"),
        ]
        constraints = [models.UniqueConstraint(fields=["event", "child_id"], name="audit_appearance_unique")]

    def __str__(self) -> str:
        return f"appearance in event {self.event_id}"


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
