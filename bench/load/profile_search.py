"""cProfile of the search page in-process, signed in through the real pages (figures in docs/BENCHMARKS.md).

Needs a database prepared by `make bench-load` (DATABASE_URL, var/bench-load/*.json). Signs in
PROFILE_USERS practitioners from accounts.json that the bench did not use (password, then TOTP),
warms up, then profiles PROFILE_SEARCHES POSTs to /children/search/ from the bench's search mix,
spread over the users so no misuse rule suspends one. Prints the top functions by cumulative and
own time, and the SQL queries per search.

usage: DATABASE_URL=... REDIS_URL=... python bench/load/profile_search.py [first-account-index]
"""

import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
SEARCHES = int(os.environ.get("PROFILE_SEARCHES", "200"))
USERS = int(os.environ.get("PROFILE_USERS", "8"))


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django_otp.oath import totp

    from bench.load.queries import People, search_form

    accounts = json.loads((ROOT / "var" / "bench-load" / "accounts.json").read_text())
    first = int(sys.argv[1]) if len(sys.argv) > 1 else len(accounts["accounts"]) - USERS
    clients = []
    for account in accounts["accounts"][first : first + USERS]:
        client = Client(HTTP_HOST="127.0.0.1")
        page = client.post(
            "/account/sign-in/", {"username": account["username"], "password": accounts["password"]}
        )
        code = totp(bytes.fromhex(account["totp_hex"]))
        page = client.post("/account/mfa/", {"code": f"{code:06d}"})
        if page.status_code != 302:
            raise SystemExit(f"sign-in failed for {account['username']}: {page.status_code}")
        clients.append(client)
    rng = random.Random(11)
    people = People()
    forms = [search_form(rng, people)[1] for _ in range(SEARCHES + USERS)]
    for client, form in zip(clients, forms[:USERS], strict=True):  # warm-up: connections, templates
        client.post("/children/search/", form)
    queries: list[str] = []

    def log(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(log):
        clients[0].post("/children/search/", forms[USERS])
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for n, form in enumerate(forms[USERS:]):
        page = clients[n % USERS].post("/children/search/", form)
        if page.status_code != 200:
            raise SystemExit(f"search answered {page.status_code}")
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"{SEARCHES} searches in {elapsed:.2f} s: {elapsed / SEARCHES * 1000:.1f} ms each (profiler on)")
    print(f"SQL queries in one search request: {len(queries)}")
    for sql in queries:
        print("   ", sql[:160])
    profiler.dump_stats(str(ROOT / "var" / "bench-load" / "search.prof"))
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(60)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
