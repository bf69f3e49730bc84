"""Helpers that play a database administrator tampering with the stored log (tests only)."""

import json
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection

from audit.ledger import canonical_json, entry_leaf_hex
from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag

CONTENT = ("occurred_at", "tag", "actor_id", "organisation_id", "child_id", "additional", "leaf_hash")


@contextmanager
def triggers_bypassed() -> Iterator[None]:
    """A PostgreSQL superuser can switch triggers off; the Merkle heads must still catch what they do."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = origin")


def skip_ids(count: int) -> None:
    """Leave a hole in the id sequence, as rolled-back transactions do on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'),"
                " nextval(pg_get_serial_sequence('audit_auditevent', 'id')) + %s)",
                [count - 1],
            )
        else:
            top = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = 'audit_auditevent'", [top + count]
            )


def log_build(world, children, count: int, rng: random.Random) -> None:
    actors = [world.alice, world.bob, world.lena, None]
    tags = list(AuditTag)
    for n in range(count):
        child = rng.choice([*children, None])
        event_record(
            tag=rng.choice(tags),
            actor=rng.choice(actors),
            child_id=child.pk if child else None,
            additional={"n": n, "token": f"{rng.getrandbits(64):016x}", "ids": [str(uuid.UUID(int=n))]},
        )
        if n % 9 == 4:
            skip_ids(rng.randint(1, 3))


def _flip(text: str, rng: random.Random, alphabet: str) -> str:
    positions = [i for i, ch in enumerate(text) if ch in alphabet]
    i = rng.choice(positions)
    replacement = rng.choice([c for c in alphabet if c != text[i]])
    return text[:i] + replacement + text[i + 1 :]


HEX = "0123456789abcdef"


def column_edit(event: AuditEvent, column: str, rng: random.Random, user_ids: list[int]) -> object:
    """A one-character (or one-step) change of one column's value, never a no-op."""
    value = getattr(event, column)
    if column == "occurred_at":
        return value + rng.choice([timedelta(microseconds=1), timedelta(seconds=1), timedelta(days=1)])
    if column == "tag":
        return _flip(value, rng, "abcdefghijklmnopqrstuvwxyz")
    if column == "actor_id":
        return rng.choice([u for u in [*user_ids, None] if u != value])
    if column == "organisation_id":
        return 1 if value is None else int(_flip(str(value), rng, "123456789"))
    if column == "child_id":
        return uuid.uuid4() if value is None else uuid.UUID(_flip(str(value), rng, HEX))
    if column == "additional":
        for _ in range(50):
            try:
                edited = json.loads(_flip(canonical_json(value), rng, "0123456789abcdef"))
            except ValueError:
                continue
            if edited != value:
                return edited
        raise AssertionError("could not make a valid one-character edit")
    return _flip(value, rng, HEX)


def forged_insert(event_id: int, template: AuditEvent) -> None:
    """A well-formed row (correct leaf hash) slipped into a hole in the ids."""
    columns = {
        "occurred_at": template.occurred_at,
        "tag": template.tag,
        "actor_id": template.actor_id,
        "organisation_id": template.organisation_id,
        "child_id": template.child_id,
        "additional": {"forged": True},
    }
    AuditEvent.objects.create(id=event_id, leaf_hash=entry_leaf_hex(id=event_id, **columns), **columns)


def consistent_rewrite(event: AuditEvent, column: str, value: object) -> None:
    """Edit a column and recompute the row's leaf hash too, as an attacker who knows the format would."""
    columns = {c: getattr(event, c) for c in CONTENT if c != "leaf_hash"}
    columns[column] = value
    leaf = entry_leaf_hex(id=event.pk, **columns)
    AuditEvent.objects.filter(pk=event.pk).update(**{column: value, "leaf_hash": leaf})
