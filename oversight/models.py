"""Alerts for an LA team to act on (break-glass overrides now; misuse detection later)."""

from django.conf import settings
from django.db import models


class AlertKind(models.TextChoices):
    SHIELD_OVERRIDE = "shield_override", "Shielded record opened in an emergency"


class Alert(models.Model):
    local_authority = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    child_id = models.UUIDField(null=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"Alert {self.pk} ({self.kind})"
