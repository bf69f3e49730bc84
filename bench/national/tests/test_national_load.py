"""The national loader writes what the app writes, is searchable, and resumes a killed run exactly.

PostgreSQL only (COPY, forked workers with their own connections). Workers are forked from the test
process, so they seal with the test's in-memory key provider and the app can read what they wrote.
"""

import itertools
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import date
from typing import Any

import psycopg
import pytest
from django.db import connection

from accounts.models import Organisation
from bench.national import indexes, load, writer
from bench.national.load import Plan, national_load
from bench.national.rows import chunk_seed, index_number_for
from children.models import BlockingKeyEntry, Carer, Child, Involvement
from children.search import SearchCriteria, child_search_matches
from children.selectors import child_details, child_record
from children.services import blocking_digests, child_create
from children.synthetic.directory import Directory, directory_ensure, directory_load
from children.synthetic.families import ChildSpec
from children.synthetic.stream import children_stream

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL only: COPY and worker processes"
    ),
    pytest.mark.django_db(transaction=True),
]

TODAY = date(2026, 12, 2)
PLAN = Plan(count=2_000, chunk_size=250, seed=3, today=TODAY)


def _dsn() -> str:
    s = connection.settings_dict
    parts = {"dbname": s["NAME"], "user": s["USER"], "host": s["HOST"], "port": s["PORT"]}
    if s.get("PASSWORD"):
        parts["password"] = s["PASSWORD"]
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


@pytest.fixture
def directory() -> Iterator[Directory]:
    directory_ensure()
    yield directory_load()
    # The bench's own tables are not Django models, so the test flush would leave them behind.
    with psycopg.connect(_dsn(), autocommit=True) as conn:
        indexes.indexes_restore(conn)
        for table in (writer.PROGRESS_TABLE, writer.RUN_TABLE, indexes.DEFERRED_TABLE):
            conn.execute(f"DROP TABLE IF EXISTS {table}")


def _load(directory: Directory, **options: Any) -> load.LoadReport:
    return national_load(dsn=_dsn(), plan=PLAN, directory=directory, workers=2, progress=False, **options)


def _specs(plan: Plan, directory: Directory) -> list[tuple[int, ChildSpec]]:
    """(ordinal, spec) of every child of the plan, regenerated from the chunk seeds."""
    out = []
    for chunk, size in plan.chunks():
        stream = children_stream(seed=chunk_seed(plan.seed, chunk), directory=directory, today=plan.today)
        for position, spec in enumerate(itertools.islice(stream, size)):
            out.append((chunk * plan.chunk_size + position, spec))
    return out


def _digests(child: Child) -> list[tuple[int, bool]]:
    return sorted(BlockingKeyEntry.objects.filter(child=child).values_list("digest", "hidden"))


def test_a_national_load_is_searchable_through_the_search_service_and_decrypts(directory):
    report = _load(directory)
    assert report.written == PLAN.count == Child.objects.count()
    assert report.worker_cpu_seconds > 0 and report.database_cpu_seconds > 0  # the cost per child is measured
    specs = _specs(PLAN, directory)
    for ordinal, spec in specs[::97]:
        d = spec.details
        child = Child.objects.get(index_number=index_number_for(ordinal))
        opened = child_details(child)
        assert (opened.given_names, opened.family_name, opened.date_of_birth) == (
            d.given_names,
            d.family_name,
            d.date_of_birth,
        )
        assert opened.address == d.address
        matches = child_search_matches(SearchCriteria(d.family_name, date_of_birth=d.date_of_birth))
        assert child.pk in {m.child.pk for m in matches}


def test_every_field_of_a_loaded_child_unseals_to_the_generated_values_on_its_record(directory):
    """One chunk: the record page's read (`child_record`) opens the child, its carers and involvements to
    exactly what the synthetic stream generated, and the lead professional is the right involvement."""
    plan = Plan(count=120, chunk_size=120, seed=9, today=TODAY)
    national_load(dsn=_dsn(), plan=plan, directory=directory, workers=1, progress=False)
    specs = _specs(plan, directory)
    for ordinal, spec in specs:
        child = Child.objects.get(index_number=index_number_for(ordinal))
        record = child_record(child)
        lead = None
        if spec.lead_involvement is not None:
            lead = next(
                v.id for v in record.involvements if v.details == spec.involvements[spec.lead_involvement]
            )
        assert record.details == replace(spec.details, lead_professional_id=lead)
        assert record.carers == spec.carers
        assert sorted(map(repr, (v.details for v in record.involvements))) == sorted(
            map(repr, spec.involvements)
        )
        assert (child.shielded, child.local_authority_id) == (spec.shielded, spec.local_authority_id)
        d = spec.details
        matches = child_search_matches(SearchCriteria(d.family_name, date_of_birth=d.date_of_birth))
        assert child.pk in {m.child.pk for m in matches}
    assert len(specs) == 120 and all(s.carers for _, s in specs)
    assert sum(s.lead_involvement is not None for _, s in specs) >= 3  # leads and involvements were checked


def test_a_loaded_child_has_the_keys_and_rows_the_apps_own_write_path_gives_it(directory):
    _load(directory)
    ordinal, spec = _specs(PLAN, directory)[123]
    loaded = Child.objects.get(index_number=index_number_for(ordinal))
    by_app = child_create(
        local_authority=Organisation.objects.get(pk=spec.local_authority_id),
        details=spec.details,
        carers=spec.carers,
        shielded=spec.shielded,
    )
    assert _digests(loaded) == _digests(by_app) == sorted(blocking_digests(spec.details))
    assert loaded.data_key_id != by_app.data_key_id  # a data key per child, as the app makes
    assert Carer.objects.filter(child=loaded).count() == len(spec.carers)
    assert Involvement.objects.filter(child=loaded).count() == len(spec.involvements)
    assert loaded.shielded == spec.shielded
    assert child_details(loaded).gp_practice_id == child_details(by_app).gp_practice_id


def _wait_for_the_other_workers(conn: Any) -> None:
    """The pool reports the killed worker at once, while a surviving worker may still be committing its
    chunk: count only once every worker's connection has closed (none but this test's own remain)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        django_pid = cursor.fetchone()[0]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        others = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid NOT IN (pg_backend_pid(), %s)",
            (django_pid,),
        ).fetchone()[0]
        if others == 0:
            return
        time.sleep(0.1)
    raise AssertionError("a loader worker is still connected a minute after the pool broke")


def test_a_worker_killed_mid_chunk_leaves_no_part_of_it_and_the_rerun_writes_each_child_once(
    directory, monkeypatch
):
    real_write, real_copy = writer.chunk_write, writer._copy

    def copy_then_die(cursor: Any, model: Any, rows: Any) -> None:
        real_copy(cursor, model, rows)
        if model is Child:
            os.kill(os.getpid(), signal.SIGKILL)  # after the children, before their keys

    def dying_write(conn: Any, chunk: int, rows: Any) -> None:
        if chunk == 3:
            writer._copy = copy_then_die  # in this worker process only
        real_write(conn, chunk, rows)

    monkeypatch.setattr(writer, "chunk_write", dying_write)
    with pytest.raises(BrokenProcessPool):
        _load(directory)
    with psycopg.connect(_dsn(), autocommit=True) as conn:
        _wait_for_the_other_workers(conn)
        committed = writer.chunks_done(conn)
    assert 3 not in committed
    assert Child.objects.count() == sum(committed.values()) < PLAN.count  # whole chunks only

    monkeypatch.setattr(writer, "chunk_write", real_write)
    report = _load(directory)
    assert (report.already, report.written) == (sum(committed.values()), PLAN.count - report.already)
    specs = [spec for _, spec in _specs(PLAN, directory)]
    assert Child.objects.count() == PLAN.count
    assert Child.objects.values("index_number").distinct().count() == PLAN.count
    assert set(Child.objects.values_list("index_number", flat=True)) == {
        index_number_for(n) for n in range(PLAN.count)
    }
    assert Carer.objects.count() == sum(len(s.carers) for s in specs)
    assert Involvement.objects.count() == sum(len(s.involvements) for s in specs)
    assert BlockingKeyEntry.objects.count() == sum(len(blocking_digests(s.details)) for s in specs)


def test_a_resumed_run_with_another_seed_is_refused(directory):
    _load(directory)
    with pytest.raises(writer.RunMismatch):
        national_load(
            dsn=_dsn(), plan=Plan(PLAN.count, PLAN.chunk_size, 4, TODAY), directory=directory, workers=1
        )


def test_deferred_indexes_are_rebuilt_after_the_load(directory):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'children_blockingkeyentry'")
        before = {name for (name,) in cursor.fetchall()}
    report = _load(directory)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'children_blockingkeyentry'")
        assert {name for (name,) in cursor.fetchall()} == before
    assert report.indexes_rebuilt >= 2


_FOREIGN_KEYS = (
    "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid), c.convalidated FROM pg_constraint c"
    " JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' AND t.relname = ANY(%s) ORDER BY 1, 2"
)


def _foreign_keys() -> list[tuple[str, str, str, bool]]:
    with connection.cursor() as cursor:
        cursor.execute(_FOREIGN_KEYS, (load.TABLES,))
        return cursor.fetchall()


def test_foreign_keys_set_aside_for_the_load_are_back_and_checked_after_it(directory):
    before = _foreign_keys()
    assert len(before) >= 6 and all(valid for *_, valid in before)
    report = _load(directory)
    assert _foreign_keys() == before  # same definitions (deferrable as Django made them), all validated
    assert report.foreign_keys_checked == len(before)


def test_a_row_breaking_a_deferred_foreign_key_fails_the_restore_instead_of_slipping_in(directory):
    """The foreign keys are checked once at the end instead of row by row, not skipped."""
    with psycopg.connect(_dsn(), autocommit=True) as conn:
        indexes.indexes_defer(conn, load.TABLES)
        conn.execute(
            "INSERT INTO children_blockingkeyentry (child_id, digest, hidden)"
            " VALUES ('00000000-0000-4000-8000-000000000000', 1, false)"
        )
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            indexes.indexes_restore(conn)
        conn.execute("DELETE FROM children_blockingkeyentry")
        restored = indexes.indexes_restore(conn)
    assert restored.foreign_keys >= 1
    assert all(valid for *_, valid in _foreign_keys())


def test_the_reports_search_latency_counts_a_refine_answer_instead_of_ending_the_run(directory, monkeypatch):
    """At 12 M a common family name with a common date of birth is over the candidate cap: the service
    answers "refine your search", and the national report must count that, not crash after the load."""
    from bench.national.report import search_latency

    _load(directory)
    answered = search_latency(PLAN, directory, samples=20)
    assert (answered.queries, answered.found, answered.refined) == (20, 20, 0)
    monkeypatch.setattr("children.search.CANDIDATE_LIMIT", 0)  # every block is now over the cap
    refined = search_latency(PLAN, directory, samples=20)
    assert (refined.queries, refined.found, refined.refined) == (20, 0, 20)
