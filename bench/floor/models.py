from django.db import models


class FloorAudit(models.Model):
    """One row per search: who, when, the criteria as blind tokens and the ids shown."""

    occurred_at = models.DateTimeField()
    actor_id = models.BigIntegerField()
    additional = models.JSONField()

    def __str__(self) -> str:
        return f"FloorAudit {self.pk}"
