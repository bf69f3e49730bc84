"""Recording an assessment: a pass renews the training access control requires; every attempt is audited."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from training.course import Marked


def assessment_record(*, user: User, marked: Marked, pass_mark: int) -> bool:
    """Audit the attempt (question keys and counts only); on a pass, set `training_completed_on` to today."""
    passed = marked.passed(pass_mark)
    with transaction.atomic():
        if passed:
            user.training_completed_on = timezone.localdate()
            user.save(update_fields=["training_completed_on"])
        event_record(
            tag=AuditTag.TrainingPassed if passed else AuditTag.TrainingFailed,
            actor=user,
            additional={"correct": marked.correct, "asked": marked.asked, "wrong": list(marked.wrong)},
        )
    return passed
