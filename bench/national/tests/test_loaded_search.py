"""The search bench on a loaded database aims at children that are there, and times the audited search.

PostgreSQL only: the database is loaded by the national loader (COPY, forked workers), as
`make bench-national` loads the one `bench/bench_search.py` then searches (BENCH_SEARCH_DATABASE).
"""

import random

import pytest
from django.db import connection

from audit.models import AuditEvent
from audit.tags import AuditTag
from bench.national import search as national
from bench.national.tests.test_national_load import PLAN, _load, directory  # noqa: F401 - the fixture
from bench.national.writer import PROGRESS_TABLE
from children.models import Child

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: the national loader"),
    pytest.mark.django_db(transaction=True),
]


def test_the_bench_reads_the_loaded_run_and_its_queries_aim_at_loaded_children(directory):  # noqa: F811
    _load(directory)
    plan = national.loaded_plan()
    assert plan == PLAN

    queries = national.queries_for(random.Random(5), plan, directory, per_set=6)

    assert sorted({q.criteria_set for q in queries}) == sorted(
        ["family+dob", "family+postcode", "family+given+gender", "family+dob+partial postcode", "every field"]
    )
    assert len(queries) == 30
    assert all(q.criteria.meets_minimum() for q in queries)
    numbers = {q.index_number for q in queries}
    assert Child.objects.filter(index_number__in=numbers).count() == len(numbers)
    # The targets' own values: a clean query types them exactly (the stream is the loaded one).
    people = national.people_of(plan, directory, {5, 1234})
    assert people[1234].family  # regenerated from chunk 4's own stream
    assert Child.objects.filter(index_number=national.index_number_for(1234)).exists()


def test_every_timed_search_is_audited_and_its_work_counted(directory):  # noqa: F811
    _load(directory)
    plan = national.loaded_plan()
    queries = national.queries_for(random.Random(6), plan, directory, per_set=4)
    users = national.bench_users("t", directory)
    before = AuditEvent.objects.filter(tag=AuditTag.SearchPerformed).count()

    measured = national.measure(queries, users)

    assert AuditEvent.objects.filter(tag=AuditTag.SearchPerformed).count() == before + len(queries)
    assert all(m.ms >= m.matching_ms > 0 for m in measured)
    assert all(m.statements >= 4 for m in measured)  # key + candidates, audit id, event, misuse counts
    every_field = [m for m in measured if m.query.criteria_set == "every field"]
    assert sum(m.found for m in every_field) >= 3  # one mistake at most: found nearly always
    # "No close match" is an answer with nobody shown and nothing to refine, as the page shows it
    assert all(m.results == 0 and not m.refine for m in measured if m.near_miss)
    found = [m for m in measured if m.found]
    assert all(m.fetched >= 1 and m.opened >= 1 and m.columns >= m.opened for m in found)


def test_an_incomplete_load_is_refused(directory):  # noqa: F811
    _load(directory)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PROGRESS_TABLE} WHERE chunk = 2")  # noqa: S608
    with pytest.raises(SystemExit, match="incomplete"):
        national.loaded_plan()
