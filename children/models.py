"""Child records: every personal field is a sealed column; only ids, flags and keys are in clear.

In clear: the index number (a pseudonymous identifier), the owning LA, the shielded flag, the
archive age and lifecycle status, and links between rows. Everything that says who a child is,
where they live, who cares for them, which school or GP or service they use, is ciphertext under
the child's own data key (see vault/).
"""

import uuid

from django.conf import settings
from django.db import models

from vault.models import DataKey, SealedField

# Archive at 18, or at a consented archive age up to 25 (care leavers, special educational needs).
ARCHIVE_AGE_DEFAULT = 18
ARCHIVE_AGE_LIMIT = 25


class RecordStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"
    # Closed when the child took a new identity (adoption, protection): never searched, never opened by
    # practitioners, and never linked to the new record anywhere (lifecycle.identity).
    CLOSED = "closed", "Closed"


class Child(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    index_number = models.CharField(max_length=10, unique=True)
    local_authority = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    shielded = models.BooleanField(default=False)
    archive_age = models.PositiveSmallIntegerField(default=ARCHIVE_AGE_DEFAULT)
    status = models.CharField(max_length=10, choices=RecordStatus.choices, default=RecordStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    given_names = SealedField()
    family_name = SealedField()
    former_names = SealedField()
    # Postcodes of previous addresses (children.records.FORMER_POSTCODES_KEPT). NULL on a row last written
    # before they were kept, which reads as "none" (OPTIONAL_SEALED); every write seals a list.
    former_postcodes = SealedField(null=True)
    gender = SealedField()
    date_of_birth = SealedField()
    address = SealedField()
    date_of_death = SealedField()
    educational_setting = SealedField()
    gp_practice = SealedField()
    source_identifiers = SealedField()
    caf_completed = SealedField()
    lead_professional = SealedField()
    # Counts the changes of lead professional (named, cleared, replaced), never who: an offer to lead keeps
    # it (`coordination.services.lead_seen_digest`), so any change since overtakes it, even one changed
    # back (nobody, then Carol, then nobody again), which the lead alone reads as no change.
    lead_version = models.PositiveIntegerField(default=0, db_default=0)
    # When the child was last shielded, or its given or family name changed while shielded: a search made
    # before then no longer lets its maker name the child from its id (`access.policy.has_found_by_search`).
    # It showed the child as it was; the kept id must not give the new name that shielding now keeps from
    # every search by what they knew. In clear: a time, naming nobody. NULL: never shielded.
    found_anew_after = models.DateTimeField(null=True, blank=True)

    SEALED = (
        "given_names",
        "family_name",
        "former_names",
        "former_postcodes",
        "gender",
        "date_of_birth",
        "address",
        "date_of_death",
        "educational_setting",
        "gp_practice",
        "source_identifiers",
        "caf_completed",
        "lead_professional",
    )

    # Sealed columns that may be NULL (added after rows existed): read as None, never as ciphertext.
    OPTIONAL_SEALED = frozenset({"former_postcodes"})

    class Meta:
        verbose_name_plural = "children"
        indexes = [
            # The few children who are not ordinary (shielded, archived, closed; well under 1% of the
            # index): a feed row's key lookup joins its key entries to this small index, not to every
            # child's row, to tell them apart (linkage.linking.key_hits).
            models.Index(
                fields=["id", "status", "shielded"],
                condition=models.Q(shielded=True) | ~models.Q(status="active"),
                name="child_not_ordinary",
            )
        ]

    def __str__(self) -> str:
        return f"Child {self.index_number}"


class Carer(models.Model):
    """A person with parental responsibility or day-to-day care."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="carers")
    position = models.PositiveSmallIntegerField(default=0)

    name = SealedField()
    relationship = SealedField()
    parental_responsibility = SealedField()
    phone = SealedField()
    email = SealedField()
    address = SealedField()

    SEALED = ("name", "relationship", "parental_responsibility", "phone", "email", "address")

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"Carer {self.id}"


class Involvement(models.Model):
    """A practitioner or service working with a child. Which service it is, is sealed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="involvements")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ceased = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # A keyed hash of (child, practitioner, organisation, role): the details are sealed, so this is what
    # the database can compare to refuse a second current involvement (see `involvement_record`).
    current_key = models.BigIntegerField(null=True, blank=True, editable=False)

    practitioner_name = SealedField()
    role = SealedField()
    organisation_id_sealed = SealedField()
    phone = SealedField()
    email = SealedField()
    started_on = SealedField()
    ended_on = SealedField()
    sensitive_category = SealedField()
    # A sensitive service's basis for recording (children.records.RecordingBasis). NULL on a row written
    # before it was kept, which reads as "not recorded" and moves as NULL with a merge (OPTIONAL_SEALED).
    recording_basis = SealedField(null=True)

    SEALED = (
        "practitioner_name",
        "role",
        "organisation_id_sealed",
        "phone",
        "email",
        "started_on",
        "ended_on",
        "sensitive_category",
        "recording_basis",
    )

    # Sealed columns that may be NULL (added after rows existed): read as None, never as ciphertext.
    OPTIONAL_SEALED = frozenset({"recording_basis"})

    class Meta:
        indexes = [models.Index(fields=["recorded_by", "ceased"])]
        constraints = [
            models.UniqueConstraint(
                fields=["current_key"],
                condition=models.Q(ceased=False, current_key__isnull=False),
                name="one_current_involvement_per_practitioner_role",
            )
        ]

    def __str__(self) -> str:
        return f"Involvement {self.id}"


class BlockingKeyEntry(models.Model):
    """One blind-indexed blocking key of a child (see matching.blocking and vault.blind_index)."""

    id = models.BigAutoField(primary_key=True)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="blocking_keys")
    digest = models.BigIntegerField()
    hidden = models.BooleanField(
        default=False, help_text="derived from the address: never finds a shielded child"
    )

    class Meta:
        indexes = [
            # Every column a search's key lookup reads (children.search.visible_key_rows): PostgreSQL
            # counts a block and splits it into tiers from this index alone, without a key row's page.
            models.Index(fields=["digest", "child", "hidden"], name="blocking_digest_child_hidden")
        ]

    def __str__(self) -> str:
        return f"BlockingKey {self.id}"


class RetiredIndexNumber(models.Model):
    """An index number whose record is gone (merged away or purged): never drawn for another child.

    Letters, referrals, court orders and audit reports quote the number for years after the record
    goes; drawn again, it would send the new child's record to whoever holds the old one's papers (and
    an auditor's report on the old number would show the new child). Only a keyed digest is kept (the
    vault's index key, purpose `RETIRED_INDEX_NUMBER_PURPOSE`), with no date and no link to any row, so
    the table tells nothing about whom a number belonged to or when it went.
    """

    digest = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return "RetiredIndexNumber"
