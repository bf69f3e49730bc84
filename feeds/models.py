"""Feed sources (machine identities), their tokens, batches, rows and per-field provenance.

A feed source is a `User` with role FEED_SOURCE (so the audit log names it like anyone else) plus what it
is entitled to supply: a declared set of fields and of local authorities. Its tokens are stored only as
SHA-256 digests (a token is 256 random bits, so a fast hash is enough), expire (12 months after issue
by default) and can be revoked one by one.

Batches and rows hold no personal data: a row keeps its number, outcome and a reason written without
values. What a source said about a child is kept in `FieldProvenance`, sealed under the child's key.
"""

import uuid

from django.conf import settings
from django.db import models

from vault.models import SealedField

# The fields a feed row may carry, besides its own record id and local authority code.
FEED_FIELDS = (
    "nhs_number",
    "given_names",
    "family_name",
    "former_family_name",
    "date_of_birth",
    "gender",
    "address_line",
    "town",
    "postcode",
    # Recorded on a child the index holds (`feeds.ingest`: never on a new one), for the lifecycle's
    # "archived one year after a recorded death". A source supplies it only if declared among its fields.
    "date_of_death",
)
DEFAULT_TRUST_RANK = 100


class FeedSource(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feed_source"
    )
    code = models.SlugField(max_length=40, unique=True)
    fields = models.JSONField(default=list, help_text="entitled fields (a subset of FEED_FIELDS)")
    local_authorities = models.ManyToManyField("accounts.Organisation", related_name="+")
    trust_rank = models.PositiveSmallIntegerField(
        default=DEFAULT_TRUST_RANK, help_text="lower is more trusted; decides which value is displayed"
    )
    field_trust = models.JSONField(default=dict, help_text="per-field rank overriding trust_rank")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Feed source {self.code}"

    def rank_for(self, field: str) -> int:
        return int(self.field_trust.get(field, self.trust_rank))


class FeedToken(models.Model):
    source = models.ForeignKey(FeedSource, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="first characters, to tell tokens apart")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(help_text="refused from this moment, as a revoked token is")
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(
        null=True, blank=True, help_text="last accepted, to the minute (written at most once a minute)"
    )

    def __str__(self) -> str:
        return f"Feed token {self.prefix}"


class BatchStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress (resumable)"
    COMPLETED = "completed", "Completed"


class RowOutcome(models.TextChoices):
    CREATED = "created", "New child created"
    UPDATED = "updated", "Existing child updated"
    LINKED = "linked", "Linked to an existing child, nothing changed"
    REVIEW = "review", "Sent to clerical review"
    REJECTED = "rejected", "Rejected: not valid"


class FeedBatch(models.Model):
    source = models.ForeignKey(FeedSource, on_delete=models.PROTECT, related_name="batches")
    batch_id = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the batch content")
    status = models.CharField(max_length=12, choices=BatchStatus.choices, default=BatchStatus.IN_PROGRESS)
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "batch_id"], name="feed_batch_once")]

    def __str__(self) -> str:
        return f"Feed batch {self.batch_id}"


class FeedRow(models.Model):
    """One processed row; written in the same transaction as whatever the row did, so a batch resumes."""

    batch = models.ForeignKey(FeedBatch, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=RowOutcome.choices)
    reason = models.CharField(max_length=200, blank=True, help_text="never contains a submitted value")
    child = models.ForeignKey(
        "children.Child", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review = models.ForeignKey(
        "linkage.ClericalReview", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "row_number"], name="feed_row_once")]
        ordering = ["row_number"]

    def __str__(self) -> str:
        return f"Feed row {self.row_number}"


class FieldProvenance(models.Model):
    """Which source said what about one field of a child, and when; the value is sealed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=24)
    source = models.ForeignKey(FeedSource, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    value = SealedField()

    SEALED = ("value",)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "field", "source"], name="provenance_per_source")
        ]

    def __str__(self) -> str:
        return f"Provenance {self.field} of {self.child_id}"
