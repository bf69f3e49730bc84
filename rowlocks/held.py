"""Holding one row with a shared lock to the end of the transaction: the one place raw SQL does it.

The ORM locks rows FOR UPDATE or FOR NO KEY UPDATE only, which would make readers that must merely keep
a row as it is wait on each other. PostgreSQL's shared locks:

- FOR KEY SHARE waits for a delete or a FOR UPDATE of the row (a merge, a purge, a close, a key's
  rotation) and for nothing else; it blocks no reader and no other sharer, and lets updates of the row's
  other columns through. For a writer that must know the row stays (a seal under a key, a child put in an
  organisation) or must wait for a row's deleter before judging it.
- FOR SHARE also holds off every update of the row: for a reader whose decision rests on the row's other
  columns staying as read (an approver not suspended, an organisation not closed).

SQLite has no row locks (its BEGIN IMMEDIATE transactions serialise every writer), so there the row is
only read. Either way the answer is whether the row is there as committed once any writer holding it has
finished.
"""

from enum import StrEnum
from typing import Any

from django.db import connections, models, router


class Strength(StrEnum):
    KEY_SHARE = "FOR KEY SHARE"
    SHARE = "FOR SHARE"


def row_held(model: type[models.Model], pk: Any, *, strength: Strength, using: str | None = None) -> bool:
    """Hold `model`'s row `pk` (`strength`) until the transaction ends; is it there?

    Call inside the transaction the hold must last for: outside one, the lock ends with the statement.
    """
    connection = connections[using or router.db_for_write(model)]
    quote = connection.ops.quote_name
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    lock = f" {Strength(strength)}" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        # Names are the model's, quoted; the lock one of two fixed strings; the key a parameter.
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE {key} = %s{lock}",  # noqa: S608
            [model._meta.pk.get_db_prep_value(pk, connection)],
        )
        return cursor.fetchone() is not None
