"""Corrections to a child's record and complaints about it or its use.

In clear: which field a correction names (never its value), statuses, who acted and when, and a
complaint's dates and categories (they say no more than the audit events about them). Everything a
person wrote or proposed (a proposed value, a reason, a summary, an outcome) is sealed under the
child's own data key, so purging the child (crypto-shredding) leaves these rows unreadable too, and
the rows go with the child (CASCADE).
"""

import uuid

from django.conf import settings
from django.db import models

from children.models import Child
from vault.models import SealedField


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    ACCEPTED = "accepted", "Accepted: the record was corrected"
    REJECTED = "rejected", "Rejected"
    LAPSED = "lapsed", "Not decided: the record is no longer open"


class Correction(models.Model):
    """A proposed new value for one field of a child's record, and the owning LA's decision on it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=40, help_text="which field (corrections.fields), never a value")
    status = models.CharField(
        max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    proposed_value = SealedField()
    reason = SealedField()
    previous_value = SealedField()  # what the record showed when the correction was accepted
    decision_reason = SealedField()

    SEALED = ("proposed_value", "reason", "previous_value", "decision_reason")

    class Meta:
        indexes = [
            models.Index(fields=["status", "child"]),
            models.Index(fields=["raised_by", "raised_at"]),
            models.Index(fields=["child", "field", "status"]),
        ]

    def __str__(self) -> str:
        return f"Correction {self.pk}"


class Complainant(models.TextChoices):
    CHILD = "child", "The child or young person"
    PARENT_CARER = "parent_carer", "A parent or carer"
    ON_BEHALF = "on_behalf", "Someone else on their behalf (an advocate, say)"


class ComplaintAbout(models.TextChoices):
    RECORD = "record", "What the record holds"
    USE = "use", "How the record was used or who looked at it"


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    CLOSED = "closed", "Closed with an outcome"


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"


class Complaint(models.Model):
    """A child's or parent's complaint about the record or its use, tracked by the owning LA team."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    complainant = models.CharField(max_length=16, choices=Complainant.choices)
    about = models.CharField(max_length=10, choices=ComplaintAbout.choices)
    status = models.CharField(
        max_length=14, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    received_on = models.DateField()
    acknowledged_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=14, choices=ComplaintOutcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    summary = SealedField()
    outcome_detail = SealedField()

    SEALED = ("summary", "outcome_detail")

    class Meta:
        indexes = [models.Index(fields=["child", "received_on"])]

    def __str__(self) -> str:
        return f"Complaint {self.pk}"
