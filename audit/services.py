"""The one writer of audit events. Call it inside the transaction of the action it records."""

from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import AuditTag

User = get_user_model()


def event_record(
    *,
    tag: AuditTag,
    actor: AbstractBaseUser | AnonymousUser | None,
    child_id: UUID | None = None,
    additional: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `additional` must carry ids, codes and blind tokens only, never personal values."""
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        return AuditEvent.objects.create(
            occurred_at=timezone.now(),
            tag=str(tag),
            actor=user,
            organisation_id=getattr(user, "organisation_id", None),
            child_id=child_id,
            additional=additional or {},
        )
