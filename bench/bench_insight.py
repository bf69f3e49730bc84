"""The national management-information page's figures: seconds to count and suppress them at volume.

Why: a reviewer saw the national auditor's page take seconds per table (150 LAs x 24 months). This
builds a throwaway PostgreSQL database (`INSIGHT_DATABASE`, default `cp_bench_insight`, dropped and
created) with 150 LAs, `INSIGHT_CHILDREN` children (default 300,000; bare rows: the figures decrypt
nothing) and `INSIGHT_VIEWS` record views over two years (default 1,200,000; 70% after a search that
returned the child) plus involvements, break-glass uses, refusals and alerts, written with SQL in one
statement each (the ledger's leaf hashes are left blank: nothing here verifies them; the last year's
views and break-glass uses record the child's LA then, as written since session 36, older ones do not).
Then it times `insight.figures.national_tables` over 24 months, twice, and prints each query over 50 ms
and the time spent suppressing small numbers (`coordination.statistics.table_suppress`).

Reproduce: `.venv/bin/python bench/bench_insight.py` with PostgreSQL on 127.0.0.1:5432 (about 3 minutes
to build on 2 cores, then seconds a run).
"""

import os
import sys
import time
from pathlib import Path

DATABASE = os.environ.get("INSIGHT_DATABASE", "cp_bench_insight")
if not DATABASE.startswith("cp_bench"):
    raise SystemExit("INSIGHT_DATABASE must start with cp_bench (it is dropped)")
CHILDREN = int(os.environ.get("INSIGHT_CHILDREN", "300000"))
VIEWS = int(os.environ.get("INSIGHT_VIEWS", "1200000"))
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
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from coordination import statistics  # noqa: E402
from insight import figures  # noqa: E402

ZERO_HASH = "0" * 64
POPULATE = [
    "INSERT INTO accounts_organisation (kind, name, code, address, phone, email)"
    " SELECT 'la', 'Council ' || lpad(n::text, 3, '0'), 'LA' || n, '', '', '' FROM generate_series(1, 150) n",
    "INSERT INTO vault_datakey (id, wrapped, kek_version, created_at)"
    " VALUES ('00000000-0000-0000-0000-000000000001', '\\x00', 1, now())",
    "INSERT INTO accounts_user (password, username, first_name, last_name, email, is_superuser, is_staff,"
    " is_active, date_joined, role, job_title, phone, organisation_id, manager_email, username_skeleton,"
    " home_postcode_token, suspension_reason_sealed)"
    " SELECT '!', 'user' || n, '', '', '', false, false, true, now(), 'practitioner', '', '',"
    " (SELECT min(id) FROM accounts_organisation) + (n %% 150), '', 'user' || n, '', ''"
    " FROM generate_series(1, 3000) n",
    "CREATE TEMP TABLE kids (n int PRIMARY KEY, id uuid)",
    "INSERT INTO kids SELECT n, gen_random_uuid() FROM generate_series(0, %(children)s - 1) n",
    "INSERT INTO children_child (id, index_number, shielded, archive_age, status, created_at, updated_at,"
    " given_names, family_name, former_names, gender, date_of_birth, address, date_of_death,"
    " educational_setting, gp_practice, source_identifiers, caf_completed, lead_professional, data_key_id,"
    " local_authority_id)"
    " SELECT id, lpad(n::text, 10, '0'), false, 18, 'active', now(), now(), '\\x00', '\\x00', '\\x00',"
    " '\\x00', '\\x00', '\\x00', '\\x00', '\\x00', '\\x00', '\\x00', '\\x00', '\\x00',"
    " '00000000-0000-0000-0000-000000000001', (SELECT min(id) FROM accounts_organisation) + (n %% 150)"
    " FROM kids",
    "CREATE TEMP TABLE draws AS SELECT g, floor(random() * %(children)s)::int AS k,"
    " floor(random() * 3000)::int AS a, now() - (random() * interval '730 days') AS at"
    " FROM generate_series(1, %(views)s) g",
    "INSERT INTO audit_auditevent (occurred_at, tag, organisation_id, child_id, additional, actor_id, leaf_hash)"
    " SELECT d.at, 'child:record:viewed', NULL, kids.id,"
    " CASE WHEN d.at > now() - interval '365 days' THEN jsonb_build_object('child_la_id',"
    " (SELECT min(id) FROM accounts_organisation) + (d.k %% 150)) ELSE '{}'::jsonb END,"
    " (SELECT min(id) FROM accounts_user) + d.a,"
    " %(zero)s FROM draws d JOIN kids ON kids.n = d.k ORDER BY d.g",
    "INSERT INTO audit_searchappearance (actor_id, child_id, occurred_at, event_id)"
    " SELECT actor_id, child_id, occurred_at, id - 1 FROM audit_auditevent"
    " WHERE tag = 'child:record:viewed' AND random() < 0.7",
    "CREATE TEMP TABLE draws2 AS SELECT t.tag, floor(random() * %(children)s)::int AS k,"
    " floor(random() * 3000)::int AS a, floor(random() * 150)::int AS o,"
    " now() - (random() * interval '730 days') AS at FROM (VALUES ('child:involvement:recorded', %(views)s / 6),"
    " ('child:shield:overridden', %(views)s / 60), ('access:denied', %(views)s / 12)) t(tag, c),"
    " generate_series(1, t.c)",
    "INSERT INTO audit_auditevent (occurred_at, tag, organisation_id, child_id, additional, actor_id, leaf_hash)"
    " SELECT d.at, d.tag, (SELECT min(id) FROM accounts_organisation) + d.o, kids.id,"
    " CASE WHEN d.at > now() - interval '365 days' THEN jsonb_build_object('child_la_id',"
    " (SELECT min(id) FROM accounts_organisation) + (d.k %% 150)) ELSE '{}'::jsonb END,"
    " (SELECT min(id) FROM accounts_user) + d.a, %(zero)s FROM draws2 d JOIN kids ON kids.n = d.k",
    "INSERT INTO oversight_alert"
    " (kind, child_id, raised_at, local_authority_id, raised_by_id, reason_sealed, national)"
    " SELECT 'bulk_viewing', NULL, now() - (random() * interval '730 days'),"
    " (SELECT min(id) FROM accounts_organisation) + floor(random() * 150)::int,"
    " (SELECT min(id) FROM accounts_user), '', false FROM generate_series(1, %(views)s / 40)",
    "ANALYZE",
]


def build() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # bulk rows, as a restore would write them
        for statement in POPULATE:
            cursor.execute(statement, {"children": CHILDREN, "views": VIEWS, "zero": ZERO_HASH})
        cursor.execute("SET session_replication_role = origin")
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        (events,) = cursor.fetchone()
    print(f"built {CHILDREN:,} children, {events:,} audit events in {time.perf_counter() - started:.0f} s")


def measure() -> None:
    period = figures.period_last(24)
    suppressing = 0.0
    original = statistics.hidden_entries

    def timed_hidden_entries(*args: object, **kwargs: object) -> object:
        nonlocal suppressing
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            suppressing += time.perf_counter() - started

    statistics.hidden_entries = timed_hidden_entries  # type: ignore[assignment]
    for run in (1, 2):
        suppressing = 0.0
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            tables = figures.national_tables(period)
            total = time.perf_counter() - started
        sql = sum(float(q["time"]) for q in queries.captured_queries)
        print(
            f"run {run}: national figures, {len(tables)} tables of 150 LAs x 24 months: {total:.2f} s"
            f" ({sql:.2f} s in {len(queries.captured_queries)} queries, {suppressing:.2f} s suppressing)"
        )
        for query in queries.captured_queries:
            if float(query["time"]) > 0.05:
                print(f"  {float(query['time']):.2f} s  {query['sql'][:110]}...")


if __name__ == "__main__":
    build()
    measure()
