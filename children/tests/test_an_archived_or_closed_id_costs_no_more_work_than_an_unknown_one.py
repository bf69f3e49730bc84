"""An archived or closed record's id, to someone who may not identify the child, answers as an id that
never existed (the same 404), and must cost the server the same work: one refusal audited each (the real
record's names the child and its state, for its LA and auditors), the child table read once, the same
writes. Compared as work done (queries, audit rows), not wall time. Both count against the search limit
(children/tests/test_probing_child_ids_counts_against_the_search_limit.py). The first try at a closed record
in an hour alerts the LA team holding it (`oversight.misuse.refusal_screen`), its one extra write: the
work is compared on a try after it."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from children.models import Child, RecordStatus
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in


def _closed_tried_once(client, status: RecordStatus, url: str, child: Child) -> None:
    """A closed record's first try in the hour, which alerts its LA team (and so writes more)."""
    if status == RecordStatus.CLOSED:
        client.get(url)
        assert Alert.objects.filter(kind=AlertKind.CLOSED_RECORD_TRIED, child_id=child.pk).count() == 1


def _work(client, url: str) -> tuple[int, int, int]:
    """(audit rows written, queries reading the child table, queries writing) answering `url` with a 404."""
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 404
    sql = [q["sql"].upper() for q in queries.captured_queries]
    child_reads = sum(1 for s in sql if s.startswith("SELECT") and 'FROM "CHILDREN_CHILD"' in s)
    writes = sum(1 for s in sql if s.startswith(("INSERT", "UPDATE", "DELETE")))
    return AuditEvent.objects.count() - before, child_reads, writes


@pytest.mark.parametrize("status", [RecordStatus.ARCHIVED, RecordStatus.CLOSED])
@pytest.mark.parametrize("page", ["children:record", "children:purpose", "children:involvement_new"])
def test_a_record_no_longer_active_answers_with_the_work_of_an_id_that_never_existed(
    world, child, status, page
):
    Child.objects.filter(pk=child.pk).update(status=status)
    client = signed_in(world.bob)
    client.get(reverse(page, args=[uuid.uuid4()]))  # the session's first request warms what it caches
    _closed_tried_once(client, status, reverse(page, args=[child.pk]), child)
    unknown = _work(client, reverse(page, args=[uuid.uuid4()]))
    no_longer_active = _work(client, reverse(page, args=[child.pk]))
    assert no_longer_active == unknown
    assert unknown[0] == 1


def _queries(client, url: str) -> tuple[int, int]:
    """(status, every query run) answering `url`."""
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    return status, len(queries.captured_queries)


@pytest.mark.parametrize("status", [RecordStatus.ARCHIVED, RecordStatus.CLOSED])
@pytest.mark.parametrize(
    "page,who",
    [
        ("children:record", "bob"),
        ("children:purpose", "bob"),
        ("children:involvement_new", "bob"),
        ("children:caf", "bob"),
        ("children:lead_professional", "bob"),
        ("children:override", "olivia"),
    ],
)
def test_a_record_no_longer_active_runs_as_many_queries_as_an_id_that_never_existed(
    world, child, status, page, who
):
    """Every query counted, not only the child table's: whether an archived record's id is known to the
    person (an involvement of theirs with it) was asked of the archived record alone, one query more."""
    Child.objects.filter(pk=child.pk).update(status=status)
    client = signed_in(getattr(world, who))
    client.get(reverse(page, args=[uuid.uuid4()]))  # the session's first request warms what it caches
    _closed_tried_once(client, status, reverse(page, args=[child.pk]), child)
    assert _queries(client, reverse(page, args=[child.pk])) == _queries(
        client, reverse(page, args=[uuid.uuid4()])
    )
