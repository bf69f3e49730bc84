"""The one writer of audit events. Call it inside the transaction of the action it records."""

import decimal
import json
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.sql import InsertQuery
from django.utils import timezone

from audit.ledger import entry_leaf_hex, next_event_id
from audit.models import AuditEvent, SearchAppearance
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
    The actor's role at the time goes in too (`actor_role`): roles change, and a report must say what
    the person was allowed to do when they acted, not what they may do now.
    """
    user = actor if isinstance(actor, User) else None
    if user is not None:
        additional = {"actor_role": getattr(user, "role", ""), **(additional or {})}
    columns: dict[str, Any] = {
        "occurred_at": timezone.now(),
        "tag": str(tag),
        "actor_id": user.pk if user is not None else None,
        "organisation_id": getattr(user, "organisation_id", None),
        "child_id": child_id,
        "additional": json.loads(json.dumps(additional or {}), parse_float=_stored_number),
    }
    # No savepoint inside the caller's transaction: if the event cannot be written, the action it
    # records must roll back with it anyway (and a savepoint costs two round trips per event).
    with transaction.atomic(savepoint=False):
        event_id = next_event_id()
        leaf = entry_leaf_hex(id=event_id, **columns)
        event = AuditEvent(id=event_id, leaf_hash=leaf, **columns)
        appearances = _appearances(event) if event.tag == AuditTag.SearchPerformed else []
        if appearances and connection.vendor == "postgresql":
            _insert_together(event, appearances)
        else:
            event.save(force_insert=True)
            SearchAppearance.objects.bulk_create(appearances)
        return event


def _stored_number(text: str) -> float | int:
    """A JSON number as PostgreSQL's jsonb gives it back, so the hashed value is the stored one.

    jsonb keeps numbers as `numeric`, which has no exponent and no negative zero: Python writes floats
    of 1e16 and above with a positive exponent ("1e+20"; always whole numbers) and jsonb returns them as
    integers; "-0.0" returns as 0. Hashing the float while verification reads the integer reported an
    untouched event as `edited`. Every other float (a fraction, "1e-07") comes back as the same float.
    """
    if "e+" in text.lower() or (text.startswith("-0") and float(text) == 0):
        return int(decimal.Decimal(text))
    return float(text)


def _insert_sql(model: type[Model], rows: list[Any]) -> tuple[str, tuple[Any, ...]]:
    """Django's own INSERT of `rows` (every concrete field, as `bulk_create` writes them), not run."""
    query = InsertQuery(model)
    query.insert_values(
        [f for f in model._meta.concrete_fields if rows[0].pk is not None or not f.primary_key], rows
    )
    ((sql, params),) = query.get_compiler(connection=connection).as_sql()
    return sql, tuple(params)


def _insert_together(event: AuditEvent, appearances: list[SearchAppearance]) -> None:
    """PostgreSQL: a search's event and its appearance rows in ONE statement (one round trip, not two),
    the event's INSERT as a data-modifying CTE; the statement, and so both, succeed or fail together.
    Each INSERT is the one Django compiles for `save` and `bulk_create`, so the rows are written
    exactly as the ORM writes them (tested against the ORM path)."""
    event_sql, event_params = _insert_sql(AuditEvent, [event])
    rows_sql, rows_params = _insert_sql(SearchAppearance, appearances)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH event AS ({event_sql}) {rows_sql}", event_params + rows_params)
    event._state.adding, event._state.db = False, connection.alias


def _appearances(event: AuditEvent) -> list[SearchAppearance]:
    """One index row per child a search returned (ids are strings in the log; duplicates ignored)."""
    result_ids = event.additional.get("result_ids") or []
    return [
        SearchAppearance(
            event=event, actor_id=event.actor_id, child_id=UUID(child_id), occurred_at=event.occurred_at
        )
        for child_id in dict.fromkeys(result_ids)
    ]


def search_appearances_rebuild(*, batch_size: int = 2000) -> int:
    """Add the derived search index rows the (verifiable) log implies but the table lacks; returns the
    rows written.

    For a restore, a migration over existing data, or when rows are found missing. Rows are never
    deleted or changed (on PostgreSQL the table is append-only): `verify_audit` reports extra or edited
    rows, for the operator to investigate.
    """
    with transaction.atomic():
        written = 0
        searches = AuditEvent.objects.filter(tag=AuditTag.SearchPerformed).order_by("id")
        for event in searches.iterator(chunk_size=batch_size):
            present = set(SearchAppearance.objects.filter(event=event).values_list("child_id", flat=True))
            rows = [row for row in _appearances(event) if row.child_id not in present]
            SearchAppearance.objects.bulk_create(rows)
            written += len(rows)
    return written
