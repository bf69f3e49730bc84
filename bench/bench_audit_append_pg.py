"""Audit append on PostgreSQL: events written a second, one committed transaction each (`event_record`).

Why: since session 21 each writer transaction on PostgreSQL also takes a shared advisory lock marking its
first event id (`audit.ledger.next_event_id`), so that a checkpoint never signs around a transaction still
open. This measures what that costs against the same loop without the mark, in the same run.

Runs against a throwaway PostgreSQL database (`AUDIT_APPEND_DATABASE`, default `cp_bench_append`,
dropped and created), never a real one; `AUDIT_APPEND_EVENTS` (default 5000) appends per side.
Reproduce: `.venv/bin/python bench/bench_audit_append_pg.py` with PostgreSQL on 127.0.0.1:5432.
"""

import os
import statistics
import sys
import time
from pathlib import Path

DATABASE = os.environ.get("AUDIT_APPEND_DATABASE", "cp_bench_append")
if not DATABASE.startswith("cp_bench"):
    raise SystemExit("AUDIT_APPEND_DATABASE must start with cp_bench (it is dropped)")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402
import psycopg  # noqa: E402

with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
    admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
    admin.execute(f'CREATE DATABASE "{DATABASE}"')

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import Organisation, OrganisationKind, Role, User  # noqa: E402
from audit import ledger, services  # noqa: E402
from audit.services import event_record  # noqa: E402
from audit.tags import AuditTag  # noqa: E402

EVENTS = int(os.environ.get("AUDIT_APPEND_EVENTS", "5000"))
ROUNDS = 3


def _unmarked_next_event_id() -> int:
    """The id reservation as it was before session 21: the sequence alone, no writer mark."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [ledger.EVENT_TABLE])
        return int(cursor.fetchone()[0])


def _appends_per_second(user: User) -> float:
    started = time.perf_counter()
    for n in range(EVENTS):
        with transaction.atomic():
            event_record(tag=AuditTag.SearchPerformed, actor=user, additional={"n": n})
    return EVENTS / (time.perf_counter() - started)


def main() -> None:
    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(kind=OrganisationKind.SCHOOL, name="Bench School", code="B-1")
    user = User.objects.create(username="bench", organisation=org, role=Role.PRACTITIONER)
    marked: list[float] = []
    unmarked: list[float] = []
    for _ in range(ROUNDS):  # interleaved, so a change in the machine's load touches both sides alike
        services.next_event_id = ledger.next_event_id
        marked.append(_appends_per_second(user))
        services.next_event_id = _unmarked_next_event_id
        unmarked.append(_appends_per_second(user))
    services.next_event_id = ledger.next_event_id
    print(f"{EVENTS} appends x {ROUNDS} rounds each side, one committed transaction each")
    print(f"with the writer mark:    median {statistics.median(marked):,.0f} events/s  {marked}")
    print(f"without (before s. 21):  median {statistics.median(unmarked):,.0f} events/s  {unmarked}")
    print(f"ratio: {statistics.median(marked) / statistics.median(unmarked):.3f}")


if __name__ == "__main__":
    main()
