"""cProfile of a search and a record view in-process, signed in through the real pages (docs/BENCHMARKS.md).

Needs a database prepared by `make bench-load` (DATABASE_URL, var/bench-load/*.json). Signs in
PROFILE_USERS practitioners from accounts.json that the bench did not use (password, then TOTP),
warms up, then profiles PROFILE_SEARCHES searches from the bench's search mix (the POST and the GET of
its results page, as a browser does) and PROFILE_VIEWS record views (purpose stated beforehand, not
profiled), spread over the users so no misuse rule suspends one. Prints, for each kind of request,
the SQL statements one request makes (Django's CaptureQueriesContext, plus the BEGIN/COMMIT round
trips psycopg sends around an atomic block), the time per request and its split (SQL, templates,
decryption, scoring), and the top functions by cumulative time.

usage: DATABASE_URL=... REDIS_URL=... python bench/load/profile_search.py [first-account-index]
"""

import cProfile
import io
import json
import os
import pstats
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
SEARCHES = int(os.environ.get("PROFILE_SEARCHES", "200"))
VIEWS = int(os.environ.get("PROFILE_VIEWS", "100"))
USERS = int(os.environ.get("PROFILE_USERS", "8"))
CHILD_LINK = re.compile(r'href="/children/([0-9a-f-]{36})/purpose/"')
# Where the time goes: cumulative time of these functions (pstats keys: file suffix, function name).
SPLIT = {
    "SQL statements (with BEGIN)": [("django/db/backends/utils.py", "_execute")],
    "COMMIT": [("django/db/backends/base/base.py", "commit")],
    "templates": [("django/template/backends/django.py", "render")],
    "decryption (vault unseal)": [("vault/sealing.py", "unseal")],
    "scoring": [("matching/scoring.py", "score")],
    "Redis": [("redis/client.py", "execute_command")],
}


def _split(stats: pstats.Stats, total: float, count: int) -> list[str]:
    lines = []
    entries: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for label, wanted in SPLIT.items():
        seconds = sum(
            value[3]
            for (path, _line, name), value in entries.items()
            if any(path.endswith(suffix) and name == function for suffix, function in wanted)
        )
        lines.append(f"    {label:<32}{seconds / count * 1000:7.1f} ms  ({seconds / total:5.1%})")
    return lines


def _backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) so far of the PostgreSQL backend `pid` (same machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_per_request(label: str, count: int, request: Callable[[int], object]) -> None:
    """CPU per request, profiler off: this process (the app's work, Django test client included) and
    its PostgreSQL backend, read from /proc. Unlike wall time, neither counts waiting for a core."""
    from django.db import connection

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    by_statement: dict[str, list[float]] = {}

    def timed(execute: Callable[..., object], sql: str, *args: object) -> object:
        # The backend's CPU and the wall time of each statement, by its first words (tick-sampled by
        # the kernel: meaningful summed over many requests, not for one statement).
        cpu, wall = _backend_cpu(pid), time.perf_counter()
        try:
            return execute(sql, *args)
        finally:
            spent = by_statement.setdefault(" ".join(sql.split()[:4])[:70], [0.0, 0.0, 0.0])
            spent[0] += _backend_cpu(pid) - cpu
            spent[1] += time.perf_counter() - wall
            spent[2] += 1.0

    app, db = time.process_time(), _backend_cpu(pid)
    for n in range(count):
        request(n)
    app, db = time.process_time() - app, _backend_cpu(pid) - db
    with connection.execute_wrapper(timed):
        for n in range(count):
            request(count + n)
    print(
        f"\n== {label}: CPU per request, profiler off, {count} requests: app process {app / count * 1000:.1f} ms,"
        f" PostgreSQL backend {db / count * 1000:.1f} ms, total {(app + db) / count * 1000:.1f} ms"
        f" (load average {os.getloadavg()[0]:.1f})"
    )
    print("  PostgreSQL backend CPU and wall time by statement, per request (a second pass of as many):")
    for sql, (cpu, wall, calls) in sorted(by_statement.items(), key=lambda item: -item[1][0]):
        print(
            f"    {cpu / count * 1000:6.2f} ms CPU {wall / count * 1000:6.2f} ms wall {calls / count:5.2f}x  {sql}"
        )


def _profile(label: str, count: int, request: Callable[[int], object], sample: Callable[[], object]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        sample()
    statements = [query["sql"] for query in captured.captured_queries]  # before the next request clears them
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for n in range(count):
        request(n)
    profiler.disable()
    elapsed = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    print(f"\n== {label}: {count} in {elapsed:.2f} s, {elapsed / count * 1000:.1f} ms each (profiler on)")
    print(
        f"  SQL statements in one {label} (Django's count; atomic blocks add BEGIN and COMMIT): {len(statements)}"
    )
    for sql in statements:
        print("     ", sql[:150])
    print("  time split (cumulative, per request):")
    print("\n".join(_split(stats, elapsed, count)))
    profiler.dump_stats(str(ROOT / "var" / "bench-load" / f"{label.replace(' ', '-')}.prof"))
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    print(out.getvalue())


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    connection.settings_dict["CONN_MAX_AGE"] = None  # one backend throughout, so its CPU can be read
    from django_otp.oath import totp

    from bench.load.queries import People, search_form

    accounts = json.loads((ROOT / "var" / "bench-load" / "accounts.json").read_text())
    first = int(sys.argv[1]) if len(sys.argv) > 1 else len(accounts["accounts"]) - USERS
    clients = []
    for account in accounts["accounts"][first : first + USERS]:
        client = Client(HTTP_HOST="127.0.0.1")
        client.post("/account/sign-in/", {"username": account["username"], "password": accounts["password"]})
        code = totp(bytes.fromhex(account["totp_hex"]))
        page = client.post("/account/mfa/", {"code": f"{code:06d}"})
        if page.status_code != 302:
            raise SystemExit(f"sign-in failed for {account['username']}: {page.status_code}")
        clients.append(client)
    rng = random.Random(11)
    people = People()
    forms = [search_form(rng, people)[1] for _ in range(3 * SEARCHES + USERS + 1)]

    def search(client: Client, form: dict[str, str]) -> str:
        page = client.post("/children/search/", form)
        if page.status_code != 303:
            raise SystemExit(f"search answered {page.status_code}")
        results = client.get(page["Location"])
        if results.status_code != 200:
            raise SystemExit(f"search results answered {results.status_code}")
        return results.content.decode()

    found: list[tuple[Client, str]] = []
    for n, form in enumerate(forms[:USERS]):  # warm-up: connections, templates
        search(clients[n], form)
    for n in range(SEARCHES * 3):  # children to view, a purpose stated for each (not profiled)
        client = clients[n % USERS]
        for child in CHILD_LINK.findall(search(client, search_form(rng, people)[1]))[:1]:
            client.post(f"/children/{child}/purpose/", {"purpose": "providing_service", "detail": ""})
            found.append((client, child))
        if len(found) > VIEWS:
            break

    def view(pair: tuple[Client, str]) -> None:
        page = pair[0].get(f"/children/{pair[1]}/")
        if page.status_code != 200:
            raise SystemExit(f"record view answered {page.status_code}")

    _cpu_per_request(
        "search", SEARCHES, lambda n: search(clients[n % USERS], forms[USERS + 1 + SEARCHES + n])
    )
    _profile(
        "search",
        SEARCHES,
        lambda n: search(clients[n % USERS], forms[USERS + 1 + n]),
        lambda: search(clients[0], forms[USERS]),
    )
    _profile("record view", min(VIEWS, len(found) - 1), lambda n: view(found[n + 1]), lambda: view(found[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
