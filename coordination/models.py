"""Matches between practitioners working with the same child or family, and what follows from them.

Only ids, kinds and times are stored here: who the other practitioner is, and how to reach them, is read
from their (sealed) involvement when a permitted person opens the inbox, so an ended or purged involvement
takes its details with it. `CarerKey` holds keyed HMACs of a carer's normalised name and contact, never
the values, so a stolen table names nobody.
"""

from django.conf import settings
from django.db import models


class MatchKind(models.TextChoices):
    CLIENT = "client", "Client match"
    FAMILY = "family", "Family match"


class Match(models.Model):
    """Two current involvements from different organisations with one child (client) or one family.

    The pair is stored in a fixed order (`first` has the lower id), so the unique constraint allows one
    match per pair however the two were recorded, concurrently or not.
    """

    kind = models.CharField(max_length=10, choices=MatchKind.choices)
    first = models.ForeignKey("children.Involvement", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("children.Involvement", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="coordination_one_match_per_pair")
        ]

    def __str__(self) -> str:
        return f"Match {self.pk} ({self.kind})"

    @property
    def about_one_child(self) -> bool:
        """A client match, or a family match whose two records were since merged into one child (both
        involvements are that child's now): told and acted on as a client match."""
        return self.kind == MatchKind.CLIENT or self.first.child_id == self.second.child_id


class Notice(models.Model):
    """One practitioner's inbox entry about a match: `involvement` is theirs, `other` the one they are told of."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    involvement = models.ForeignKey("children.Involvement", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("children.Involvement", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["match", "recipient"], name="coordination_one_notice_per_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"Notice {self.pk}"


class LeadProposal(models.Model):
    """A practitioner in a client match proposes themselves as lead professional; the other accepts."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="proposals")
    involvement = models.ForeignKey("children.Involvement", on_delete=models.CASCADE, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Who was lead professional when the offer was made (none included), with the count of the child's
    # changes of lead then (`Child.lead_version`), as a keyed digest (`coordination.services.lead_seen_digest`):
    # an offer is accepted only while the lead has not changed since, even to be changed back, so a stale or
    # crossed offer never replaces a lead chosen since. Empty on offers made before it existed.
    lead_seen = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["match", "involvement"], name="coordination_one_proposal_per_side"
            )
        ]

    def __str__(self) -> str:
        return f"LeadProposal {self.pk}"


class InvolvementConfirmation(models.Model):
    """The owner confirmed an old involvement is still current (asked after 2 years without one)."""

    involvement = models.OneToOneField("children.Involvement", on_delete=models.CASCADE, related_name="+")
    confirmed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"InvolvementConfirmation {self.pk}"


class CarerKey(models.Model):
    """A blind index of one carer's normalised name + one contact (phone or email), for family matches."""

    id = models.BigAutoField(primary_key=True)
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    digest = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"CarerKey {self.id}"
