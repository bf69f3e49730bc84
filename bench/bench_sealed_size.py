"""Sealed bytes per synthetic child, and the CPU to seal and open a field (session 39: padded fields).

Every sealed field is padded to a length bucket (`vault.crypto.padded_length`) and an address to at least
`vault.sealing.ADDRESS_LEAST` bytes first, so that a field's few values look alike in a dump; this
measures what that costs in storage and time. Throwaway SQLite database (the synthetic directory of
schools and practices the generator draws from) and ephemeral keys, as the other benchmarks.
BENCH_SEALED_CHILDREN synthetic children (default 2,000) are sealed as the national loader seals them
(`children.synthetic.loader.child_spec_seal`); then one child's fields are sealed and opened in a loop,
best of 5 passes (`time.process_time`), with the opened values checked against what was sealed.
"""

import itertools
import os
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from types import SimpleNamespace

WORKDIR = Path(tempfile.mkdtemp(prefix="cp-bench-sealed-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from children.synthetic.directory import directory_ensure, directory_load  # noqa: E402
from children.synthetic.loader import child_spec_seal  # noqa: E402
from children.synthetic.stream import children_stream  # noqa: E402
from vault import crypto  # noqa: E402
from vault.models import DataKey  # noqa: E402
from vault.sealing import Sealer, seal_row  # noqa: E402

CHILDREN = int(os.environ.get("BENCH_SEALED_CHILDREN", "2000"))
ROUNDS = 2000
PASSES = 5


def _sizes() -> None:
    directory_ensure()
    specs = list(
        itertools.islice(
            children_stream(seed=7, directory=directory_load(), today=date(2026, 12, 1)), CHILDREN
        )
    )
    started = time.process_time()
    sealed = [child_spec_seal(spec) for spec in specs]
    took = time.process_time() - started
    parts = {
        "child": [blob for s in sealed for blob in s.sealed.values()],
        "carer": [blob for s in sealed for _id, columns in s.carers for blob in columns.values()],
        "involvement": [
            blob for s in sealed for _id, _ceased, columns in s.involvements for blob in columns.values()
        ],
    }
    total = sum(len(blob) for blobs in parts.values() for blob in blobs)
    fields = sum(len(blobs) for blobs in parts.values())
    print(
        f"{CHILDREN:,} children: {fields / CHILDREN:.1f} sealed fields and {total / CHILDREN:,.0f} sealed bytes a child"
    )
    for name, blobs in parts.items():
        size = sum(len(blob) for blob in blobs)
        print(f"  {name:<12} {size / CHILDREN:7,.0f} bytes a child, {size / max(len(blobs), 1):6.1f} a field")
    print(f"sealing a child (data key, fields, blind indexes): {took * 1e3 / CHILDREN:.3f} ms CPU")
    _speeds(specs[0].details.sealed_values())


def _best(work: object) -> float:
    best = float("inf")
    for _ in range(PASSES):
        start = time.process_time()
        work()  # type: ignore[operator]
        best = min(best, time.process_time() - start)
    return best


def _speeds(values: dict[str, object]) -> None:
    key = crypto.new_key()
    cipher = crypto.cipher(key)
    row = SimpleNamespace(pk=uuid.uuid4())
    sealer = Sealer(DataKey(id=uuid.uuid4(), wrapped=b"", kek_version=1), dek=key)
    blobs = seal_row(cipher, table="children_child", row_id=row.pk, key_id=sealer.key.pk, values=values)
    opened = {
        column: sealer.unseal_value(blob, table="children_child", row_id=row.pk, column=column)
        for column, blob in blobs.items()
    }
    if opened != values:
        raise SystemExit("a field opened to something else than was sealed")

    def seal() -> None:
        for _ in range(ROUNDS):
            seal_row(cipher, table="children_child", row_id=row.pk, key_id=sealer.key.pk, values=values)

    def open_all() -> None:
        for _ in range(ROUNDS):
            for column, blob in blobs.items():
                sealer.unseal_value(blob, table="children_child", row_id=row.pk, column=column)

    per_field = ROUNDS * len(values)
    print(
        f"seal_row {_best(seal) * 1e6 / per_field:.2f} us a field; unseal {_best(open_all) * 1e6 / per_field:.2f} us a field"
    )


def main() -> None:
    try:
        call_command("migrate", verbosity=0)
        _sizes()
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    main()
