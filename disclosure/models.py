"""Disclosure exports: the only way a file naming more than one child leaves the service.

A request names its lawful basis, a reference (e.g. a court order number), the children (by index
number, its own LA's only, a small capped list) and each field wanted, chosen from an allow-list. A
different member of the same LA team approves or refuses it. The file itself is never stored: it is
built from the vault at download time, once, before the approval expires.

The reference and the decision reason are free text typed by staff, so they can name a child: both are
sealed under the export's own data key (an export names several children, so no one child's key fits).
When any child it names is purged, that key is shredded and both blanked (`disclosure.retention`); the
lawful basis, the fields, who asked and decided and when stay for the auditor.
"""

import uuid

from django.conf import settings
from django.db import models

from vault.models import DataKey, SealedField


class LawfulBasis(models.TextChoices):
    """The only grounds for disclosure outside the system (docs/SECURITY.md, domain.md "Disclosure")."""

    COURT_ORDER = "court_order", "A court order or another requirement of law"
    CRIME = "crime", "The prevention or detection of crime"
    CHILD_PROTECTION = "child_protection", "A statutory child protection enquiry"
    SAFEGUARDING_BOARD = "safeguarding_board", "A request from a safeguarding partnership or board"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class DisclosureExport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    local_authority = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    # Allow-listed field keys (disclosure.fields.EXPORT_FIELDS), in the order the file shows them.
    fields = models.JSONField(default=list)
    children = models.ManyToManyField("children.Child", related_name="+")
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveSmallIntegerField(default=0)
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    notes_shredded_at = models.DateTimeField(
        null=True, blank=True, help_text="when the reference and decision reason were destroyed"
    )

    reference = SealedField()
    decision_reason = SealedField()  # sealed "" until decided, so a pending request looks the same

    SEALED = ("reference", "decision_reason")

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["local_authority", "status"])]

    def __str__(self) -> str:
        return f"DisclosureExport {self.id}"
