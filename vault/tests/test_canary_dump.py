"""A copy of the database, the sessions, the cache or the logs reveals no canary, in any encoding.

The detector's self-tests encode canaries by independent means (Python's codecs, Django's own signing
and session store, PostgreSQL's own bytea output through pg_dump, Redis through Django's cache), never
with the detector's encoding table, so a pass of the leak scans is not vacuous.
"""

import base64
import binascii
import codecs
import json
import os
import shutil
import sqlite3
import subprocess
import urllib.parse
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from children.models import Child
from oversight.models import Alert, AlertKind
from tests.canaries import (
    CARER_NAME,
    FAMILY,
    GIVEN,
    POSTCODE,
    PURPOSE_WORD,
    canary_hits,
    practitioner_journey,
    redis_contents,
    seed_canary_child,
    signed_in_client,
)

pytestmark = pytest.mark.django_db(transaction=True)

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")

# ASCII and non-ASCII canaries: for the second, UTF-8, JSON-escaped and percent-encoded forms differ.
SAMPLES = [GIVEN, CARER_NAME, PURPOSE_WORD]


def _seed_and_use(world, client):
    child = seed_canary_child(world)
    # The practitioner lives at the canary child's postcode (the own-address rule): the LA team records it
    # through its page, and the journey's three searches that show that child or type her postcode are
    # flagged.
    team = signed_in_client(world.lena)
    recorded = team.post(reverse("team:home_postcode", args=[world.alice.pk]), {"postcode": POSTCODE})
    assert recorded.status_code == 302
    practitioner_journey(client, child, world.alice)
    assert Alert.objects.filter(kind=AlertKind.OWN_ADDRESS_SEARCH).count() == 3
    return child


def _pg_dump(*tables: str) -> bytes:
    settings = connection.settings_dict
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is not installed")
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = ["pg_dump", "--no-owner", "-h", settings["HOST"] or "127.0.0.1"]
    command += ["-p", str(settings["PORT"] or 5432), "-U", settings["USER"]]
    command += [f"--table={table}" for table in tables]
    command.append(settings["NAME"])
    return subprocess.run(command, check=True, capture_output=True, env=env).stdout  # noqa: S603


def _found(value: str, blob: bytes) -> bool:
    return any(hit.startswith(repr(value)) for hit in canary_hits(b"\x00junk " + blob + b" junk\xff"))


def _independent_encodings(value: str) -> dict[str, bytes]:
    """What other code would write, produced by that code: none of this uses the detector's table."""
    raw = value.encode("utf-8")
    forms = {
        "utf-8": raw,
        "upper utf-8": value.upper().encode(),
        "lower utf-8": value.lower().encode(),
        "utf-16 with BOM": codecs.encode(value, "utf-16"),
        "utf-16-be": codecs.encode(value, "utf-16-be"),
        "hex": binascii.hexlify(raw),
        "HEX": binascii.hexlify(raw).upper(),
        "postgres bytea literal": b"\\x" + binascii.hexlify(raw),
        "json (ensure_ascii)": json.dumps({"name": value}).encode(),
        "json (utf-8)": json.dumps({"name": value}, ensure_ascii=False).encode(),
        "url quote": urllib.parse.quote(value).encode(),
        "form encoded": urllib.parse.urlencode({"name": value}).encode(),
        "signing.dumps": signing.dumps({"name": value}).encode(),
        "signing.dumps compressed": signing.dumps({"name": value, "pad": "x" * 200}, compress=True).encode(),
    }
    for prefix in (b"", b"a", b"ab"):
        forms[f"base64 after {len(prefix)} bytes"] = base64.b64encode(prefix + raw)
        forms[f"urlsafe base64 after {len(prefix)} bytes"] = base64.urlsafe_b64encode(prefix + raw)
    return forms


@pytest.mark.parametrize("value", SAMPLES)
def test_the_detector_finds_a_canary_in_every_independent_encoding(value):
    for name, blob in _independent_encodings(value).items():
        assert _found(value, blob), name


def test_the_detector_finds_a_compressed_signed_payload_that_shows_nothing_in_clear():
    token = signing.dumps({"note": CARER_NAME, "pad": "x" * 200}, compress=True)
    assert token.startswith(".")  # zlib really applied
    assert "Aldergrove" not in token and "Aldergrove" not in base64.urlsafe_b64decode(
        token[1:].split(":")[0] + "=="
    ).decode("latin-1")
    assert any("in a signed payload" in hit for hit in canary_hits(token.encode()))


def test_the_detector_finds_a_canary_in_a_session_written_by_djangos_session_store(db):
    store = SessionStore()
    store["note"] = CARER_NAME
    store["padding"] = "x" * 500
    store.save()
    stored = Session.objects.get(session_key=store.session_key).session_data
    assert "Aldergrove" not in stored
    assert _found(CARER_NAME, stored.encode())


def test_the_detector_finds_base64_of_a_canary_at_any_alignment():
    for prefix in (b"", b"a", b"ab", b"abc"):
        assert canary_hits(base64.b64encode(prefix + GIVEN.encode() + b"xyz"))


def test_the_detector_is_quiet_on_text_without_canaries():
    assert (
        canary_hits(b"Northshire Primary School " + signing.dumps({"a": "b"}, compress=True).encode()) == []
    )


@postgresql_only
@pytest.mark.parametrize("value", SAMPLES)
def test_the_detector_finds_a_bytea_written_by_postgresql_in_a_pg_dump(db, value):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE canary_scratch (value bytea)")
        try:
            cursor.execute("INSERT INTO canary_scratch VALUES (convert_to(%s, 'UTF8'))", [value])
            dump = _pg_dump("canary_scratch")
        finally:
            cursor.execute("DROP TABLE canary_scratch")  # flushing leaves tables Django does not know
    assert b"\\x" in dump  # pg_dump wrote the bytea as hex
    assert value.encode() not in dump
    assert _found(value, dump)


def test_the_detector_finds_a_canary_cached_in_redis(redis_cache):
    cache.set("carer", {"name": CARER_NAME})
    contents = redis_contents(redis_cache)
    assert b"carer" in contents
    assert _found(CARER_NAME, contents)


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


@postgresql_only
def test_pg_dump_holds_no_canary(world, client):
    child = _seed_and_use(world, client)
    dump = _pg_dump()
    assert child.index_number.encode() in dump
    assert b"django_session" in dump
    assert canary_hits(dump) == []


def plant_plaintext_bytea(child: Child, column: str, value: str) -> None:
    """A sealing bypass: PostgreSQL writes the plaintext itself into one sealed column of one row."""
    table = Child._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = convert_to(%s, 'UTF8') WHERE id = %s",  # noqa: S608
            [value, child.pk],
        )


@postgresql_only
def test_a_plaintext_value_planted_in_a_sealed_column_is_found_in_the_pg_dump(world, client):
    child = _seed_and_use(world, client)
    plant_plaintext_bytea(child, "family_name", FAMILY)
    dump = _pg_dump()
    assert FAMILY.encode() not in dump  # not visible as text: only the hex form gives it away
    hits = canary_hits(dump)
    assert f"{FAMILY!r} (plain/hex)" in hits


def test_sessions_hold_no_canary_once_decoded(world, client):
    _seed_and_use(world, client)
    sessions = [s.session_data for s in Session.objects.all()]
    assert sessions
    decoded = [SessionStore().decode(data) for data in sessions]
    assert any("_auth_user_id" in session for session in decoded)  # the scan sees real sessions
    assert canary_hits("\n".join(sessions).encode()) == []


def test_the_redis_cache_holds_no_canary_after_a_journey(world, client, redis_cache):
    _seed_and_use(world, client)
    contents = redis_contents(redis_cache)
    assert b"rl:search.user" in contents  # the journey really used Redis
    assert canary_hits(contents) == []
