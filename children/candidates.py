"""Candidate children read as plain values: what search and feed linkage decrypt and score.

A name-only search or a feed row scores hundreds of candidates, and most are never shown or linked. Read
through the ORM, each came as three model instances (the child, its data key, its local authority),
which cost more CPU than decrypting and scoring it (`docs/BENCHMARKS.md`, session 13). Here a candidate
is one row of values: its data key is opened the first time a sealed column is read, each column is
decrypted the first time it is read (so scoring decrypts only the columns a query compares), and a
`Child` instance is made only for a candidate a caller keeps (a result shown, a child linked), with the
columns fetched and nothing else loaded.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Model, QuerySet

from accounts.models import Organisation
from children.models import Child
from vault.keys import WrappedDataKey
from vault.models import DataKey
from vault.sealing import Sealer

# The plain columns of a candidate, in the order `CandidateRow` reads them; its sealed columns follow.
_HEAD = (
    "id",
    "index_number",
    "shielded",
    "status",
    "local_authority_id",
    "data_key__id",
    "data_key__kek_version",
    "data_key__wrapped",
    "data_key__shredded_at",
)
# Read only when a results row shows it (search): feed linkage never does, and the join costs every row.
_LA_NAME = "local_authority__name"
_CHILD_TABLE = Child._meta.db_table


def candidate_columns(sealed: Sequence[str], *, prefix: str = "", la_name: bool = True) -> tuple[str, ...]:
    """The `values_list` names of a candidate's columns, with `prefix` when read through a relation
    ("child__" from a blocking key entry); `la_name`: the local authority's name too (a results row)."""
    return tuple(f"{prefix}{name}" for name in (*_HEAD, *((_LA_NAME,) if la_name else ()), *sealed))


def _partial(model: type[Model], db: str, values: dict[str, Any]) -> Any:
    """A model instance of just these columns (the rest deferred, loaded only if ever read), as the
    ORM's own `from_db` makes one for `.only()`."""
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, fields, [values[name] for name in fields])


class CandidateRow:
    """One candidate: plain columns, its sealed columns decrypted on first read, a Child made on demand."""

    __slots__ = (
        "_blobs",
        "_child",
        "_db",
        "_key",
        "_la_name",
        "_sealer",
        "_values",
        "index_number",
        "local_authority_id",
        "pk",
        "shielded",
        "status",
    )

    def __init__(self, row: Sequence[Any], sealed: Sequence[str], *, db: str, la_name: bool = True) -> None:
        (
            self.pk,
            self.index_number,
            self.shielded,
            self.status,
            self.local_authority_id,
            key_id,
            kek_version,
            wrapped,
            shredded_at,
        ) = row[: len(_HEAD)]
        head = len(_HEAD) + la_name
        self._la_name: str | None = row[len(_HEAD)] if la_name else None
        self._key = WrappedDataKey(key_id, kek_version, wrapped, shredded_at)
        self._blobs = dict(zip(sealed, row[head:], strict=True))
        self._db = db
        self._sealer: Sealer | None = None
        self._values: dict[str, Any] = {}
        self._child: Child | None = None

    def __getitem__(self, column: str) -> Any:
        """The decrypted value of a sealed column (None for an optional column never written)."""
        if column not in self._values:
            blob = self._blobs[column]
            if blob is None and column in Child.OPTIONAL_SEALED:
                value = None
            else:
                if self._sealer is None:
                    self._sealer = Sealer(self._key)
                value = self._sealer.unseal_value(blob, table=_CHILD_TABLE, row_id=self.pk, column=column)
            self._values[column] = value
        return self._values[column]

    @property
    def child(self) -> Child:
        """The candidate as a Child with the columns fetched, its data key and local authority attached."""
        if self._child is None:
            child = _partial(
                Child,
                self._db,
                {
                    "id": self.pk,
                    "index_number": self.index_number,
                    "shielded": self.shielded,
                    "status": self.status,
                    "local_authority_id": self.local_authority_id,
                    "data_key_id": self._key.id,
                    **self._blobs,
                },
            )
            child.data_key = _partial(
                DataKey,
                self._db,
                {
                    "id": self._key.id,
                    "kek_version": self._key.kek_version,
                    "wrapped": self._key.wrapped,
                    "shredded_at": self._key.shredded_at,
                },
            )
            if self._la_name is not None:  # otherwise loaded from the database if ever read
                child.local_authority = _partial(
                    Organisation, self._db, {"id": self.local_authority_id, "name": self._la_name}
                )
            self._child = child
        return self._child


def candidate_rows(
    children: QuerySet[Child], sealed: Sequence[str], *, la_name: bool = True
) -> list[CandidateRow]:
    """The candidates of a queryset of children, one statement, no model instances."""
    rows = children.values_list(*candidate_columns(sealed, la_name=la_name))
    return rows_as_candidates(rows, sealed, db=children.db, la_name=la_name)


def rows_as_candidates(
    rows: Iterable[Sequence[Any]], sealed: Sequence[str], *, db: str, la_name: bool = True
) -> list[CandidateRow]:
    return [CandidateRow(row, sealed, db=db, la_name=la_name) for row in rows]
