"""A chunk of synthetic children as COPY rows, sealed and keyed exactly as the app writes them.

Nothing here encrypts or hashes: every child goes through `children.services.child_build` (the vault's
`Sealer`, a per-child data key from `vault.keys`, blind-indexed blocking keys from
`children.services.blocking_digests`), and its unsaved model instances are turned into tuples in the
column order of the real tables. Only the index number differs from `child_build`'s random draw: it
is a fixed permutation of the child's position in the run, so a chunk written again after a crash
gets the same numbers, and no two children of a run can share one (see `index_number_for`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, models

from accounts.models import Organisation
from children.index_number import check_digit
from children.models import BlockingKeyEntry, Carer, Child, Involvement
from children.services import BuiltChild
from children.synthetic.directory import Directory
from children.synthetic.loader import child_spec_build
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


@dataclass
class ChunkRows:
    """Rows of one chunk by table name, in MODELS order then the blocking keys."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    children: int = 0

    def count(self, table: str) -> int:
        return len(self.rows.get(table, []))


_FIELDS = {model: copy_fields(model) for model in MODELS}


def _row(model: type[models.Model], obj: models.Model) -> tuple[Any, ...]:
    # pre_save gives the value Django itself would write (auto_now timestamps included).
    return tuple(f.pre_save(obj, True) for f in _FIELDS[model])


def built_rows(built: list[BuiltChild]) -> ChunkRows:
    out = ChunkRows(children=len(built))
    tables = {model: out.rows.setdefault(model._meta.db_table, []) for model in MODELS}
    keys = out.rows.setdefault(BlockingKeyEntry._meta.db_table, [])
    for b in built:
        tables[DataKey].append(_row(DataKey, b.data_key))
        tables[Child].append(_row(Child, b.child))
        tables[Carer].extend(_row(Carer, c) for c in b.carers)
        tables[Involvement].extend(_row(Involvement, i) for i in b.involvements)
        # The columns of copy_fields(BlockingKeyEntry): child, digest, hidden (its id is the sequence's).
        keys.extend((b.child.pk, digest, hidden) for digest, hidden in b.blocking_digests)
    return out


def chunk_built(
    *,
    seed: int,
    chunk: int,
    size: int,
    first_ordinal: int,
    directory: Directory,
    local_authorities: dict[int, Organisation],
    today: date,
) -> list[BuiltChild]:
    """The chunk's children, built by the app's `child_build`, numbered from `first_ordinal`."""
    stream: Iterator[Any] = children_stream(seed=chunk_seed(seed, chunk), directory=directory, today=today)
    built = [child_spec_build(spec, local_authorities) for spec in itertools.islice(stream, size)]
    for position, b in enumerate(built):
        b.child.index_number = index_number_for(first_ordinal + position)
    return built
