"""Seal and save a stream of synthetic children in batches, with memory flat whatever the count.

Each batch is one transaction, so an interrupted run leaves whole batches behind and can be resumed
with `skip` set to the number saved. Index numbers are random (children.index_number), so at national
scale two can collide; a batch's numbers are checked against the database and redrawn before insert.
"""

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from accounts.models import Organisation
from children import index_number
from children.numbers import index_numbers_taken
from children.services import BuiltChild, SealedChild, child_build, child_seal, children_save_built
from children.synthetic.directory import Directory
from children.synthetic.families import ChildSpec
from children.synthetic.stream import children_stream

DEFAULT_BATCH = 500


@dataclass(frozen=True)
class LoadReport:
    written: int
    shielded: int


def child_spec_build(spec: ChildSpec, local_authorities: dict[int, Organisation]) -> BuiltChild:
    return child_build(
        local_authority=local_authorities[spec.local_authority_id],
        details=spec.details,
        carers=spec.carers,
        shielded=spec.shielded,
        involvements=spec.involvements,
        lead_involvement=spec.lead_involvement,
    )


def child_spec_seal(spec: ChildSpec) -> SealedChild:
    """The spec sealed and keyed by the app's `child_seal` (what `child_spec_build` makes models of)."""
    return child_seal(
        details=spec.details,
        carers=spec.carers,
        involvements=spec.involvements,
        lead_involvement=spec.lead_involvement,
    )


def _unique_index_numbers(batch: list[BuiltChild]) -> None:
    """Redraw any index number already taken (held, retired, or earlier in the batch)."""
    while True:
        taken = index_numbers_taken(b.child.index_number for b in batch)
        seen: set[str] = set()
        clashes = 0
        for built in batch:
            if built.child.index_number in taken or built.child.index_number in seen:
                built.child.index_number = index_number.generate()
                clashes += 1
            seen.add(built.child.index_number)
        if not clashes:
            return


def _batches(specs: Iterator[ChildSpec], size: int) -> Iterator[list[ChildSpec]]:
    while batch := list(itertools.islice(specs, size)):
        yield batch


def children_generate(
    *,
    count: int,
    seed: int,
    directory: Directory,
    today: date,
    skip: int = 0,
    batch_size: int = DEFAULT_BATCH,
    showcase: bool = False,
    progress: Callable[[int], object] | None = None,
) -> LoadReport:
    """Write `count` children of the stream for `seed`, starting after its first `skip`."""
    local_authorities = Organisation.objects.in_bulk([local.la_id for local in directory.las])
    stream = children_stream(seed=seed, directory=directory, today=today, skip=skip, showcase=showcase)
    written = shielded = 0
    for specs in _batches(itertools.islice(stream, count), batch_size):
        built = [child_spec_build(spec, local_authorities) for spec in specs]
        _unique_index_numbers(built)
        children_save_built(built)
        written += len(built)
        shielded += sum(spec.shielded for spec in specs)
        if progress:
            progress(len(built))
    return LoadReport(written=written, shielded=shielded)
