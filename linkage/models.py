"""Clerical review: an incoming record the engine would not link or create on its own.

The incoming record and the candidates it was compared with are sealed under the review's own data
key (they are personal data about a child). In clear: which LA's team reviews it, whether it is held
because it could be a shielded child, why it is here (a code), and the decision. That sealed copy is
kept only while a decision needs it: it is shredded when the review is decided, or when a child it
names is purged (`linkage.retention`); the clear columns stay for the auditor.
"""

import uuid

from django.conf import settings
from django.db import models

from vault.models import DataKey, SealedField


class ReviewReason(models.TextChoices):
    POSSIBLE_MATCH = "possible_match", "Possible match: between the thresholds"
    TOO_CLOSE = "too_close", "Two candidates too close to call"
    IDENTIFIER_CONFLICT = "identifier_conflict", "A source identifier conflicts"
    SHIELDED = "shielded", "Could be a shielded child"
    OTHER_LA = "other_la", "Matches a child of a local authority the source does not supply"
    TOO_MANY = "too_many", "Too many candidates to compare"
    ARCHIVED = "archived", "Resembles an archived record"
    CLOSED_IDENTITY = "closed_identity", "Resembles a record closed for a new identity"
    SIBLING = "sibling", "Could be a twin or sibling: only the given name differs"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Waiting for a decision"
    LINKED = "linked", "Linked to an existing child"
    NEW_CHILD = "new_child", "Created as a new child"
    NOT_A_MATCH = "not_a_match", "Not a match: nothing written"
    WITHDRAWN = "withdrawn", "Closed undecided: a child it named was purged"


class ClericalReview(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    local_authority = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    shielded_hold = models.BooleanField(
        default=False, help_text="could be a shielded child: only that child's LA team may see or decide it"
    )
    reason = models.CharField(max_length=24, choices=ReviewReason.choices)
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_child = models.ForeignKey(
        "children.Child", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_child_ref = models.UUIDField(
        null=True,
        blank=True,
        help_text="the decided child's id, kept when a merge deletes that record (the FK is then nulled), "
        "so the purge of the record carrying it on finds this review's labels; cleared by that purge",
    )
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    copy_shredded_at = models.DateTimeField(
        null=True, blank=True, help_text="when the sealed incoming record and candidates were destroyed"
    )
    row_token = models.BigIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="a keyed blind token of the source and the row's canonical values "
        "(`linkage.services.review_row_token`): the same row resent while this review is open waits on it "
        "rather than opening another; cleared when the review is decided. None on reviews opened before it",
    )

    incoming = SealedField()
    candidates = SealedField()

    SEALED = ("incoming", "candidates")

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["local_authority", "status"])]
        constraints = [
            # One open review per row of a source: two batches sending it at once cannot both open one.
            # Its unique index is the lookup of an open review by token, too.
            models.UniqueConstraint(
                fields=["row_token"],
                condition=models.Q(status="open", row_token__isnull=False),
                name="one_open_review_per_row",
            )
        ]

    def __str__(self) -> str:
        return f"Clerical review {self.id}"


class ReviewSubject(models.Model):
    """A child a review's sealed copy is about (a candidate, or an archived or closed record it resembles).

    Held as a blind token of the child's id (`linkage.retention.review_subject_token`), not the id: it
    lets a purge find every review holding a copy of that child without a clear link, in a stolen
    database, between a feed's review and a (perhaps shielded) child. Deleted when the copy is shredded.
    """

    review = models.ForeignKey(ClericalReview, on_delete=models.CASCADE, related_name="subjects")
    token = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"Subject of review {self.review_id}"


class ChildMerge(models.Model):
    """Two records found to be one child: the duplicate folded into the survivor, reversibly.

    The duplicate's own record (as it was) and which rows moved are sealed under the merge's own key,
    so an unmerge can restore it exactly; in clear only ids, its index number and LA, and who and when.
    The sealed copy is shredded once the merge is undone (it has done its work) or when the survivor or
    the restored record is purged (`linkage.retention`).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survivor = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    duplicate_id = models.UUIDField()
    duplicate_index_number = models.CharField(max_length=10)
    duplicate_local_authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    duplicate_shielded = models.BooleanField(default=False)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)
    restored_child = models.ForeignKey(
        "children.Child", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    snapshot_shredded_at = models.DateTimeField(
        null=True, blank=True, help_text="when the sealed snapshot and the list of what moved were destroyed"
    )

    snapshot = SealedField()
    moved = SealedField()

    SEALED = ("snapshot", "moved")

    def __str__(self) -> str:
        return f"Merge into {self.survivor_id}"


class ReviewLabel(models.Model):
    """A reviewer's verdict on one (incoming record, candidate) pair: a training label for the matcher.

    Every decision labels every candidate the reviewer was shown: LINK makes the chosen one a match and
    the others non-matches; NEW_CHILD and NOT_A_MATCH make them all non-matches. What the two records
    said at decision time (the identity the engine compares, nothing else) is sealed under the label's
    own key, so retraining sees the pair as the reviewer saw it, not the child as later updates left it;
    in clear only ids, the verdict and when.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(ClericalReview, on_delete=models.CASCADE, related_name="labels")
    candidate_id = models.UUIDField(help_text="the child the incoming record was compared with")
    is_match = models.BooleanField()
    decision = models.CharField(max_length=16, choices=ReviewStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")

    incoming = SealedField()
    candidate = SealedField()

    SEALED = ("incoming", "candidate")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["review", "candidate_id"], name="one_label_per_review_candidate")
        ]

    def __str__(self) -> str:
        return f"Review label {self.id}"


class CarriedIdentity(models.Model):
    """An identity a live record carries on: a record merged into it, directly or through a chain of merges.

    A merge's own row cannot say this for long: it is deleted with its survivor (merged away in turn), and
    an unmerge rebuilds the duplicate under a new id. Copies sealed under keys of their own (review labels,
    review copies) name the identity they were made about, so a purge must know every identity the
    purged record carries (`linkage.retention.carried_identities`). Plain ids, no foreign keys: nothing
    here is deleted or nulled by a cascade behind the merge's back. A record carries its own id implicitly
    (no row). Written by `linkage.merging` (merge: the duplicate and all it carried; unmerge: given to the
    restored record), deleted with its carrier's purge.
    """

    carrier_id = models.UUIDField(help_text="the live record that carries the identity on")
    identity_id = models.UUIDField(help_text="a record merged into it, and not split out again")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["carrier_id", "identity_id"], name="one_row_per_carried_identity")
        ]

    def __str__(self) -> str:
        return f"Identity carried by {self.carrier_id}"
