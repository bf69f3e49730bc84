"""Opening an archived record: a data manager's audited view, with a purpose and, after the first
year, a statutory reason. The policy (`access.policy`, ArchiveView / ArchiveStatutoryView) decides
whether; this module only records why and decrypts.
"""

from django.db import transaction

from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from children.selectors import ChildRecordView, child_record
from oversight.misuse import view_screen
from vault.sealing import note_seal

ARCHIVE_PURPOSE_CHOICES = (
    ("subject_access", "Answering a subject access request"),
    ("correction", "Correcting the record or resolving a complaint"),
    ("data_quality", "Resolving a data quality problem"),
    ("other", "Another reason (give details)"),
)
ARCHIVE_PURPOSE_LABELS = dict(ARCHIVE_PURPOSE_CHOICES)

# The only grounds on which an archive older than a year is opened (domain.md, Disclosure).
STATUTORY_REASON_CHOICES = (
    ("court_order", "A court order or a requirement of law"),
    ("crime", "The prevention or detection of crime"),
    ("child_protection_enquiry", "A statutory child protection enquiry"),
    ("safeguarding_review", "A review by a safeguarding children partnership"),
)
STATUTORY_REASON_LABELS = dict(STATUTORY_REASON_CHOICES)


def archived_record_open(
    *, child: Child, by: User, purpose: str, detail: str = "", statutory_reason: str | None = None
) -> ChildRecordView:
    """Audit the view (purpose, statutory reason, free text sealed under the child's key), let the
    viewing rules count it (`oversight.misuse.view_screen`: they may suspend `by`, so the page re-checks
    before showing anything), then decrypt.

    Unknown codes are refused rather than stored: an auditor must be able to read every reason.
    """
    if child.status != RecordStatus.ARCHIVED:
        raise ValueError("only an archived record is opened here")
    if purpose not in ARCHIVE_PURPOSE_LABELS:
        raise ValueError("unknown purpose")
    if statutory_reason is not None and statutory_reason not in STATUTORY_REASON_LABELS:
        raise ValueError("unknown statutory reason")
    with transaction.atomic():
        event_record(
            tag=AuditTag.ArchivedRecordViewed,
            actor=by,
            child_id=child.pk,
            additional={
                "purpose": purpose,
                "statutory_reason": statutory_reason,
                "purpose_detail_sealed": (
                    note_seal(child.data_key, context="purpose", text=detail) if detail else None
                ),
            },
        )
        view_screen(user=by)
    return child_record(child)
