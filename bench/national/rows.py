"""A chunk of synthetic children as COPY rows, sealed and keyed exactly as the app writes them.

Nothing here encrypts or hashes: every child goes through `children.services.child_seal`, the core the
app's own `child_build` calls (a per-child data key from `vault.keys`, every personal field sealed by
`vault.sealing.seal_row`, blind-indexed blocking keys from `children.services.blocking_digests`). The
loader only lays its ids and ciphertext out as tuples in the column order of the real tables, without
the Django model instances `child_build` would make of them (`model_row` of those instances gives the
same tuples: tested). Only the index number differs from `child_build`'s random draw: it is a fixed
permutation of the child's position in the run, so a chunk written again after a crash gets the same
numbers, and no two children of a run can share one (see `index_number_for`).
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.db import connection, models

from children.index_number import check_digit
from children.models import ARCHIVE_AGE_DEFAULT, BlockingKeyEntry, Carer, Child, Involvement
from children.services import SealedChild
from children.synthetic.directory import Directory
from children.synthetic.families import ChildSpec
from children.synthetic.loader import child_spec_seal
from children.synthetic.stream import children_stream
from vault.models import DataKey

# ordinal -> (ordinal * STRIDE + OFFSET) mod SPACE is a bijection on 0..SPACE-1 when STRIDE and SPACE
# are coprime: 900 million distinct 9-digit bodies (first digit 1-9), scattered, never repeated.
_SPACE = 900_000_000
_STRIDE = 618_033_989
_OFFSET = 123_456_789
assert math.gcd(_STRIDE, _SPACE) == 1  # noqa: S101 - a constant's property, checked on import

# Parents first, so foreign keys are satisfied within the chunk's transaction.
MODELS: tuple[type[models.Model], ...] = (DataKey, Child, Carer, Involvement)


def index_number_for(ordinal: int) -> str:
    """The index number of the run's `ordinal`-th child: valid (Damm check digit), unique in the run."""
    if not 0 <= ordinal < _SPACE:
        raise ValueError("ordinal outside the index number space")
    body = str(100_000_000 + (ordinal * _STRIDE + _OFFSET) % _SPACE)
    return body + str(check_digit(body))


def chunk_seed(seed: int, chunk: int) -> int:
    """Each chunk is the start of its own stream, so any chunk is generated without the ones before it."""
    return seed * 1_000_000_000 + chunk


def copy_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """Concrete columns COPY writes: all but a database-generated key (BigAutoField)."""
    return [f for f in model._meta.concrete_fields if not getattr(f, "db_returning", False)]


def copy_statement(table: str, columns: list[str] | tuple[str, ...]) -> str:
    """Binary COPY: ciphertext goes as raw bytes, not hex text the server must parse back."""
    return f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"


def copy_types(model: type[models.Model]) -> list[str]:
    """PostgreSQL type names of the COPY columns (binary COPY must be told them), e.g. `varchar`."""
    return [str(f.db_type(connection)).split("(", 1)[0] for f in copy_fields(model)]


def _tables() -> dict[str, list[tuple[Any, ...]]]:
    return {table: [] for table in (*(m._meta.db_table for m in MODELS), BlockingKeyEntry._meta.db_table)}


@dataclass
class ChunkRows:
    """Rows of one chunk by table name, in MODELS order then the blocking keys."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=_tables)
    children: int = 0

    def count(self, table: str) -> int:
        return len(self.rows.get(table, []))


_FIELDS = {model: copy_fields(model) for model in MODELS}


def model_row(model: type[models.Model], obj: models.Model) -> tuple[Any, ...]:
    """The COPY row of an unsaved model instance, as Django would write it (`pre_save`: timestamps)."""
    return tuple(f.pre_save(obj, True) for f in _FIELDS[model])


class _Layout:
    """One table's COPY row from the values the loader has per row; every other column is the field's
    own default, a constant (a per-row default such as a uuid4 or a timestamp must be given: refused)."""

    def __init__(self, model: type[models.Model], given: tuple[str, ...]) -> None:
        fields = _FIELDS[model]
        names = [f.attname for f in fields]
        if unknown := set(given) - set(names):
            raise ValueError(f"{model.__name__} has no COPY columns {sorted(unknown)}")
        self.constants: dict[str, Any] = {}
        for f in fields:
            if f.attname in given:
                continue
            if (
                (f.has_default() and callable(f.default))
                or getattr(f, "auto_now", False)
                or getattr(f, "auto_now_add", False)
            ):
                raise ValueError(f"{model.__name__}.{f.attname} differs per row: the loader must give it")
            self.constants[f.attname] = f.get_default()
        self._pick = operator.itemgetter(*names)

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(self._pick({**self.constants, **values}))


_KEY = _Layout(DataKey, ("id", "wrapped", "kek_version", "created_at"))
_CHILD = _Layout(
    Child,
    (
        "id",
        "index_number",
        "local_authority_id",
        "data_key_id",
        "shielded",
        "archive_age",
        "created_at",
        "updated_at",
        *Child.SEALED,
    ),
)
_CARER = _Layout(Carer, ("id", "child_id", "position", *Carer.SEALED))
_INVOLVEMENT = _Layout(Involvement, ("id", "child_id", "ceased", "created_at", *Involvement.SEALED))


def timestamp_clock() -> Callable[[], datetime]:
    """`django.utils.timezone.now` with USE_TZ read once, not per row (a settings lookup each time)."""
    tz = UTC if settings.USE_TZ else None
    return functools.partial(datetime.now, tz)


@dataclass(frozen=True)
class LoadedChild:
    """What the loader gives a sealed child beyond `child_seal`: where it lives and its number."""

    index_number: str
    local_authority_id: int
    shielded: bool
    archive_age: int = ARCHIVE_AGE_DEFAULT


def sealed_rows(
    out: ChunkRows, sealed: SealedChild, child: LoadedChild, clock: Callable[[], datetime]
) -> None:
    """Append one sealed child's rows (data key, child, carers, involvements, blocking keys) to `out`.

    Timestamps are `clock()`'s, read as Django's `pre_save` would: once for the child and its key, once
    per involvement (a record page lists them by `created_at`).
    """
    rows = out.rows
    now = clock()
    key = sealed.key
    rows[DataKey._meta.db_table].append(
        _KEY.row({"id": key.id, "wrapped": key.wrapped, "kek_version": key.kek_version, "created_at": now})
    )
    child_id = sealed.child_id
    rows[Child._meta.db_table].append(
        _CHILD.row(
            {
                "id": child_id,
                "index_number": child.index_number,
                "local_authority_id": child.local_authority_id,
                "data_key_id": key.id,
                "shielded": child.shielded,
                "archive_age": child.archive_age,
                "created_at": now,
                "updated_at": now,
                **sealed.sealed,
            }
        )
    )
    rows[Carer._meta.db_table].extend(
        _CARER.row({"id": carer_id, "child_id": child_id, "position": position, **columns})
        for position, (carer_id, columns) in enumerate(sealed.carers)
    )
    rows[Involvement._meta.db_table].extend(
        _INVOLVEMENT.row(
            {"id": involvement_id, "child_id": child_id, "ceased": ceased, "created_at": clock(), **columns}
        )
        for involvement_id, ceased, columns in sealed.involvements
    )
    # The columns of copy_fields(BlockingKeyEntry): child, digest, hidden (its id is the sequence's).
    rows[BlockingKeyEntry._meta.db_table].extend(
        (child_id, digest, hidden) for digest, hidden in sealed.blocking_digests
    )


def chunk_rows(
    *,
    seed: int,
    chunk: int,
    size: int,
    first_ordinal: int,
    directory: Directory,
    today: date,
) -> ChunkRows:
    """The chunk's children, sealed and keyed by the app's `child_seal`, numbered from `first_ordinal`."""
    out = ChunkRows(children=size)
    clock = timestamp_clock()
    stream: Iterator[ChildSpec] = children_stream(
        seed=chunk_seed(seed, chunk), directory=directory, today=today
    )
    for position, spec in enumerate(itertools.islice(stream, size)):
        loaded = LoadedChild(
            index_number=index_number_for(first_ordinal + position),
            local_authority_id=spec.local_authority_id,
            shielded=spec.shielded,
        )
        sealed_rows(out, child_spec_seal(spec), loaded, clock)
    return out
