"""A copy of the database reveals no canary, in any common encoding (issue 4, 'Done when')."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from tests.canaries import GIVEN, canary_hits, encodings, practitioner_journey, seed_canary_child

pytestmark = pytest.mark.django_db(transaction=True)


def _seed_and_use(world, client):
    child = seed_canary_child(world)
    practitioner_journey(client, child, world.alice)
    return child


def test_the_detector_finds_a_canary_in_every_encoding():
    for name, pattern in encodings(GIVEN).items():
        blob = b"\x00junk" + pattern + b"junk\xff"
        assert any(GIVEN in hit for hit in canary_hits(blob)), name


def test_the_detector_finds_base64_of_a_canary_at_any_alignment():
    import base64

    for prefix in (b"", b"a", b"ab", b"abc"):
        assert canary_hits(base64.b64encode(prefix + GIVEN.encode() + b"xyz"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite file dump")
def test_sqlite_database_file_holds_no_canary(world, client, tmp_path: Path):
    child = _seed_and_use(world, client)
    copy = tmp_path / "stolen.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(copy) as target:
        connection.connection.backup(target)
    blob = copy.read_bytes()
    assert child.index_number.encode() in blob  # the copy is real and complete
    assert b"Northshire Primary School" in blob  # public directory data is not sealed
    assert canary_hits(blob) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")
def test_pg_dump_holds_no_canary(world, client):
    child = _seed_and_use(world, client)
    settings = connection.settings_dict
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is not installed")
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = ["pg_dump", "--no-owner", "-h", settings["HOST"] or "127.0.0.1"]
    command += ["-p", str(settings["PORT"] or 5432), "-U", settings["USER"], settings["NAME"]]
    dump = subprocess.run(command, check=True, capture_output=True, env=env).stdout  # noqa: S603
    assert child.index_number.encode() in dump
    assert canary_hits(dump) == []
