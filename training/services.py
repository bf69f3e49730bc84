"""Recording an assessment: a pass renews the training access control requires; every attempt is audited.

At most `TRAINING_ATTEMPTS_PER_DAY` attempts (passed or failed) are marked in any rolling 24 hours per
person, counted from the attempts' own audit events; a further one is refused and audited, so the
assessment cannot be passed by guessing. The count and the recording hold the person's row locked, so two
attempts sent at once are counted one after the other."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import actor_able_locked
from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from training.course import Marked

ATTEMPT_WINDOW = timedelta(hours=24)
_ATTEMPTS = (AuditTag.TrainingPassed, AuditTag.TrainingFailed)


@dataclass(frozen=True)
class Refusal:
    """No attempt may be marked before `next_attempt_after`: `attempts` were made in the last 24 hours."""

    attempts: int
    allowed: int
    next_attempt_after: datetime


def attempts_within_a_day(*, user: User, now: datetime) -> list[datetime]:
    """When the person's attempts of the last 24 hours were made, oldest first."""
    return list(
        AuditEvent.objects.filter(actor_id=user.pk, tag__in=_ATTEMPTS, occurred_at__gt=now - ATTEMPT_WINDOW)
        .order_by("occurred_at")
        .values_list("occurred_at", flat=True)
    )


def attempt_refusal(*, user: User, now: datetime | None = None) -> Refusal | None:
    """Why a new attempt would be refused now (None: it may be made). Not locked: for showing only."""
    now = now or timezone.now()
    made = attempts_within_a_day(user=user, now=now)
    allowed = settings.TRAINING_ATTEMPTS_PER_DAY
    if len(made) < allowed:
        return None
    # The attempt that must leave the window before one more fits in it.
    return Refusal(
        attempts=len(made), allowed=allowed, next_attempt_after=made[len(made) - allowed] + ATTEMPT_WINDOW
    )


def refusal_record(*, user: User, refusal: Refusal) -> None:
    event_record(
        tag=AuditTag.TrainingRefused,
        actor=user,
        additional={
            "attempts": refusal.attempts,
            "allowed": refusal.allowed,
            "next_attempt_after": refusal.next_attempt_after.isoformat(),
        },
    )


def assessment_record(*, user: User, marked: Marked, pass_mark: int) -> bool | Refusal:
    """Audit the attempt (question keys and counts only); on a pass, set `training_completed_on` to today.

    A Refusal (audited, nothing marked) when the attempts allowed in 24 hours were already made.
    `ActorCannotAct` (nothing marked) when the person was suspended or closed after the guard passed them."""
    passed = marked.passed(pass_mark)
    with transaction.atomic():
        # The person's row, locked (no key update: their other events still insert) to the end, so a
        # second attempt sent at once counts this one; and read again: someone suspended or closed since
        # the account guard passed them has nothing marked, renewed or audited (`ActorCannotAct`). Closed
        # or suspended only, not the whole vetting: lapsed training is what the course mends (the guard
        # sends people here for it), and a pass changes nothing but the person's own record.
        actor_able_locked(user, closed_or_suspended_only=True)
        refusal = attempt_refusal(user=user)
        if refusal is not None:
            refusal_record(user=user, refusal=refusal)
            return refusal
        if passed:
            user.training_completed_on = timezone.localdate()
            user.save(update_fields=["training_completed_on"])
        event_record(
            tag=AuditTag.TrainingPassed if passed else AuditTag.TrainingFailed,
            actor=user,
            additional={"correct": marked.correct, "asked": marked.asked, "wrong": list(marked.wrong)},
        )
    return passed
