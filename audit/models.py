"""The audit log: append-only rows that never hold personal data (ids and blind tokens only)."""

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

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["actor", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.id} {self.tag}"
