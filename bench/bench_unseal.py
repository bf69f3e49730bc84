"""Unsealing micro-benchmark: microseconds of CPU to decrypt and decode one sealed field.

Search and linkage decrypt every candidate's fields before scoring them, so the cost of
`Sealer.unseal` multiplies by the candidates a search or a feed row meets (docs/BENCHMARKS.md,
session 9). This measures it alone, with no database: a `Sealer` with a fresh data key seals
BENCH_UNSEAL_ROWS rows (default 5,000) of four synthetic string fields (family name, given names,
date of birth, gender), then every field of every row is unsealed, timed with `time.process_time`;
the best of BENCH_UNSEAL_PASSES passes (default 5) is reported, with the decoded values checked
against what was sealed (a wrong answer fails the run rather than looking fast).
"""

import os
import random
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from children.synthetic.names import FAMILY_NAMES, child_given_names  # noqa: E402
from vault import crypto  # noqa: E402
from vault.models import DataKey  # noqa: E402
from vault.sealing import Sealer  # noqa: E402

ROWS = int(os.environ.get("BENCH_UNSEAL_ROWS", "5000"))
PASSES = int(os.environ.get("BENCH_UNSEAL_PASSES", "5"))
COLUMNS = ("family_name", "given_names", "date_of_birth", "gender")


def synthetic_rows(count: int, rng: random.Random) -> list[tuple[SimpleNamespace, dict[str, str]]]:
    """Rows shaped as the sealer sees a model instance (a UUID pk and a table name) and their values."""
    meta = SimpleNamespace(db_table="children_child")
    rows = []
    for _ in range(count):
        gender = rng.choice(("male", "female"))
        values = {
            "family_name": FAMILY_NAMES.draw(rng),
            "given_names": child_given_names(rng, gender),
            "date_of_birth": f"20{rng.randint(8, 25):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "gender": gender,
        }
        rows.append((SimpleNamespace(pk=uuid.UUID(int=rng.getrandbits(128)), _meta=meta), values))
    return rows


def main() -> int:
    rng = random.Random(20261203)
    sealer = Sealer(DataKey(id=uuid.uuid4(), wrapped=b"", kek_version=1), dek=crypto.new_key())
    rows = synthetic_rows(ROWS, rng)
    for row, values in rows:
        sealer.seal_all(row, values)  # type: ignore[arg-type]
    expected = [[values[column] for column in COLUMNS] for _, values in rows]
    best = float("inf")
    for _ in range(PASSES):
        started = time.process_time()
        read = [[sealer.unseal(row, column) for column in COLUMNS] for row, _ in rows]  # type: ignore[arg-type]
        best = min(best, time.process_time() - started)
        if read != expected:
            print("FAIL: an unsealed value differs from the sealed one")
            return 1
    fields = ROWS * len(COLUMNS)
    print(f"rows {ROWS}, fields {fields}, passes {PASSES}")
    print(f"unseal, best pass: {best * 1e6 / fields:.2f} us a field ({fields / best:,.0f} fields/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
