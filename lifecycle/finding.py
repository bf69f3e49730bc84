"""Finding an archived record for a data manager: by its exact index number, and nothing else.

Why exact index number only: the archive holds people who are now adults, kept only in case the law
needs them, so it must not be browsable or searchable like the live index. A name search would show
a list of archived people to pick from (the very browsing the archive rule forbids) and would need the
live search's minimum criteria and misuse rules re-proved for a second population. The index number is
the one identifier a data manager is given with a subject access request, a court order or a
correction, and it points at one record. The policy (`access.policy`, ArchiveStatutoryView) decides
whether the match may be opened; a record that is not archived, or is another LA's, answers exactly like
no record, so the finder cannot be used to learn whether an index number exists.

Every look-up is audited: the found record's id when found (it is then that child's event, listed in
their subject access report), and only "not found" otherwise. The number typed is never stored, so a
look-up of someone else's record leaves no trace of that record in this data manager's events either.
"""

from django.db import transaction

from accounts.models import User
from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child, RecordStatus


def archived_child(*, index_number: str) -> Child | None:
    """The archived record with exactly this (normalised, 10-digit) index number, if any."""
    return Child.objects.filter(index_number=index_number, status=RecordStatus.ARCHIVED).first()


def archive_lookup_record(*, by: User, found: Child | None) -> AuditEvent:
    """Audit one look-up: which record was found, or that none was."""
    with transaction.atomic():
        return event_record(
            tag=AuditTag.ArchiveLookup,
            actor=by,
            child_id=found.pk if found is not None else None,
            additional={"found": found is not None},
        )
