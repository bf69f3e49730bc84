"""The one writer of audit events. Call it inside the transaction of the action it records."""

import json
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from audit.ledger import entry_leaf_hex, next_event_id
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
    """Append one event. `additional` must carry ids, codes and blind tokens only, never personal values.

    The leaf hash is computed here, O(1) per event: tree heads are built later by `audit_checkpoint`.
    `additional` is round-tripped through JSON first so the hashed value is exactly what is stored.
    """
    user = actor if isinstance(actor, User) else None
    columns: dict[str, Any] = {
        "occurred_at": timezone.now(),
        "tag": str(tag),
        "actor_id": user.pk if user is not None else None,
        "organisation_id": getattr(user, "organisation_id", None),
        "child_id": child_id,
        "additional": json.loads(json.dumps(additional or {})),
    }
    with transaction.atomic():
        event_id = next_event_id()
        leaf = entry_leaf_hex(id=event_id, **columns)
        return AuditEvent.objects.create(id=event_id, leaf_hash=leaf, **columns)
