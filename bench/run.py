"""Run every benchmark script `bench/bench_*.py` in turn (`make bench`).

Each script prints its own figures; copy them, with machine and date, into docs/BENCHMARKS.md.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    scripts = sorted((ROOT / "bench").glob("bench_*.py"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    failures = 0
    for script in scripts:
        print(f"== {script.name}", flush=True)
        failures += subprocess.call([sys.executable, str(script)], cwd=ROOT, env=env) != 0  # noqa: S603
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
