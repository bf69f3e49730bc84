"""A batch killed mid-file (SIGKILL, a real process) is finished by running it again: none lost, none twice.

The whole life happens in real `manage.py` processes over one database and one vault key file, as in
production: migrate, register a source, `ingest` killed part-way with SIGKILL, `ingest` again, and once
more to show a finished batch changes nothing. The test reads only counts and ids from the database.
The database is the suite's kind: a SQLite file, or under PostgreSQL a database of the test's own on the
same server (made and dropped here), so the kill and resume are proved on both.
"""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections

from children.synthetic.names import FAMILY_NAMES, child_given_names

ROOT = Path(__file__).resolve().parents[2]
ROWS = 300
KILL_AFTER = 40

SETTINGS = """
from config.settings.test import *  # noqa: F403

DATABASES = {{"default": {database}}}
VAULT_KEY_PROVIDER = "vault.providers.FileKeyProvider"
VAULT_KEY_FILE = "{keys}"
SECRET_KEY = "resume-test-only"
"""


class Database:
    """The installation's database: `count` reads it from outside the processes that write it."""

    def __init__(self, tmp_path: Path) -> None:
        self.postgresql = connection.vendor == "postgresql"
        if self.postgresql:
            server = connection.settings_dict
            self.name = f"cp_resume_{uuid.uuid4().hex[:12]}"
            self.conninfo = psycopg.conninfo.make_conninfo(
                host=server["HOST"] or "", port=str(server["PORT"] or ""), user=server["USER"] or "",
                password=server["PASSWORD"] or "",
            )  # fmt: skip
            # A copy of the suite's own test database, migrated already (a migrate here took 20 s): the
            # copy needs nobody else connected to it, so this process lets go of it first.
            connections.close_all()
            with psycopg.connect(self.conninfo, dbname="postgres", autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{server["NAME"]}"')
            self.settings = repr(
                {
                    "ENGINE": "django.db.backends.postgresql", "NAME": self.name, "HOST": server["HOST"],
                    "PORT": server["PORT"], "USER": server["USER"], "PASSWORD": server["PASSWORD"],
                }
            )  # fmt: skip
        else:
            self.path = tmp_path / "db.sqlite3"
            self.settings = repr(
                {
                    "ENGINE": "django.db.backends.sqlite3", "NAME": str(self.path),
                    "OPTIONS": {"timeout": 60, "transaction_mode": "IMMEDIATE"},
                }
            )  # fmt: skip

    def count(self, sql: str) -> int:
        if self.postgresql:
            with psycopg.connect(self.conninfo, dbname=self.name) as reader:
                row = reader.execute(sql).fetchone()
        else:
            with sqlite3.connect(self.path, timeout=30) as reader:
                row = reader.execute(sql).fetchone()
        assert row is not None
        return int(row[0])

    def drop(self) -> None:
        if self.postgresql:
            with psycopg.connect(self.conninfo, dbname="postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


SETUP = """
from datetime import date
from accounts.models import Organisation, OrganisationKind
from feeds.models import FEED_FIELDS
from feeds.sources import feed_source_create
from vault.providers import FileKeyProvider
la = Organisation.objects.create(kind=OrganisationKind.LOCAL_AUTHORITY, name="North", code="LA-N", accredited_on=date(2020, 1, 1))
issuer = Organisation.objects.create(kind=OrganisationKind.HEALTH, name="Health", code="H-1", accredited_on=date(2020, 1, 1))
feed_source_create(code="health", organisation=issuer, fields=list(FEED_FIELDS), local_authorities=[la])
"""


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


# Relative to today: a feed creates no record of a person of 18 or over (feeds.ingest.NOT_A_CHILD).
YOUNGEST_FIRST = date.today() - timedelta(days=17 * 365)


def _feed_file(path: Path) -> None:
    rng = random.Random(7)
    lines = ["record_id,local_authority,given_names,family_name,date_of_birth,gender,postcode"]
    for number in range(1, ROWS + 1):
        gender = rng.choice(("female", "male"))
        dob = YOUNGEST_FIRST + timedelta(
            days=number * 19
        )  # every child born on a different day, all under 18
        given = child_given_names(rng, gender).split(" ")[0]
        lines.append(
            f"R{number},LA-N,{given},{FAMILY_NAMES.draw(rng)},{dob.isoformat()},{gender},LS{number % 9 + 1} 4AB"
        )
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def installation(tmp_path: Path) -> Iterator[tuple[Database, dict[str, str], Path]]:
    """A fresh database, key file and feed source, as separate processes would share them."""
    db, keys = Database(tmp_path), tmp_path / "keys.json"
    try:
        (tmp_path / "resume_settings.py").write_text(SETTINGS.format(database=db.settings, keys=keys))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "resume_settings",
            "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
        }
        env.pop("DATABASE_URL", None)
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-c",
                f"from vault.providers import FileKeyProvider; FileKeyProvider.create({str(keys)!r})",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=60,
        )
        if not db.postgresql:
            _manage(env, "migrate", "-v", "0")
        _manage(env, "shell", "-c", SETUP)
        feed = tmp_path / "feed.csv"
        _feed_file(feed)
        yield db, env, feed
    finally:
        db.drop()


def test_ingest_killed_with_sigkill_mid_file_completes_on_rerun_with_no_duplicate_and_nothing_lost(
    installation,
):
    db, env, feed = installation

    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "ingest", "health", str(feed), "--no-progress"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    while db.count("select count(*) from feeds_feedrow") < KILL_AFTER:
        assert process.poll() is None, "ingest finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    done_when_killed = db.count("select count(*) from feeds_feedrow")
    assert KILL_AFTER <= done_when_killed < ROWS, "killed mid-file"
    assert db.count("select count(*) from feeds_feedbatch where status = 'in_progress'") == 1
    # nothing half-written: every child has its row, every 'created' row its child
    assert db.count("select count(*) from children_child") == db.count(
        "select count(*) from feeds_feedrow where outcome = 'created'"
    )

    finished = _manage(env, "ingest", "health", str(feed), "--no-progress")
    assert "rejected: 0" in finished.stdout
    assert db.count("select count(*) from feeds_feedrow") == ROWS
    assert db.count("select count(distinct row_number) from feeds_feedrow") == ROWS
    assert db.count("select count(*) from feeds_feedbatch where status = 'completed'") == 1
    created = db.count("select count(*) from feeds_feedrow where outcome = 'created'")
    assert created == db.count("select count(*) from children_child")
    assert created == db.count("select count(distinct child_id) from feeds_feedrow where outcome = 'created'")
    assert created + db.count("select count(*) from feeds_feedrow where outcome = 'review'") == ROWS
    assert db.count("select count(*) from audit_auditevent where tag = 'feed:batch:ingested'") == 1

    again = _manage(env, "ingest", "health", str(feed), "--no-progress")
    assert "already ingested: nothing changed" in again.stdout
    assert db.count("select count(*) from children_child") == created


def test_two_processes_ingesting_the_same_file_at_once_create_each_child_once(installation):
    db, env, feed = installation
    command = [sys.executable, "manage.py", "ingest", "health", str(feed), "--no-progress"]
    processes = [
        subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for process in processes:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err[-500:]
    assert db.count("select count(*) from feeds_feedrow") == ROWS
    assert db.count("select count(distinct row_number) from feeds_feedrow") == ROWS
    created = db.count("select count(*) from feeds_feedrow where outcome = 'created'")
    assert created == db.count("select count(*) from children_child")
    assert db.count("select count(*) from audit_auditevent where tag = 'feed:batch:ingested'") == 1


def test_ingest_with_workers_killed_mid_file_is_finished_by_a_rerun_with_other_workers(installation):
    """`--workers 2` killed (parent and workers, SIGKILL) mid-file; `--workers 3` finishes it exactly."""
    db, env, feed = installation
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "ingest", "health", str(feed), "--no-progress", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the workers are killed with it
    )
    deadline = time.monotonic() + 240
    while db.count("select count(*) from feeds_feedrow") < KILL_AFTER:
        assert process.poll() is None, "ingest finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    time.sleep(0.5)  # the workers die with the group; let the kernel reap them
    done_when_killed = db.count("select count(*) from feeds_feedrow")
    assert KILL_AFTER <= done_when_killed < ROWS, "killed mid-file"
    assert db.count("select count(*) from children_child") == db.count(
        "select count(*) from feeds_feedrow where outcome = 'created'"
    )

    finished = _manage(env, "ingest", "health", str(feed), "--no-progress", "--workers", "3")
    assert "rejected: 0" in finished.stdout
    assert db.count("select count(distinct row_number) from feeds_feedrow") == ROWS
    assert db.count("select count(*) from feeds_feedrow") == ROWS
    created = db.count("select count(*) from feeds_feedrow where outcome = 'created'")
    assert created == db.count("select count(*) from children_child")
    assert created + db.count("select count(*) from feeds_feedrow where outcome = 'review'") == ROWS
    assert db.count("select count(*) from audit_auditevent where tag = 'feed:batch:ingested'") == 1
    again = _manage(env, "ingest", "health", str(feed), "--no-progress", "--workers", "2")
    assert "already ingested: nothing changed" in again.stdout
