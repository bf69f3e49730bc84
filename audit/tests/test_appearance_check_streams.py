"""The search-result rows are checked as they stream past, a search at a time, never gathered whole.

`verify_audit` compared every `SearchAppearance` row against its search event by first loading the whole
table into a dictionary: at national scale (hundreds of millions of rows, one per child a search
returned) the verifier would run out of memory before reporting anything. Both sides are ordered by
event id, so the rows of one search are compared and dropped before the next search's are read.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID

from audit.tags import AuditTag
from audit.verification import VerificationReport, _AppearanceCheck, search_expected

SEARCHES = 2_000
AT = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def _child(n: int) -> UUID:
    return UUID(int=n)


def _expect_search(check: _AppearanceCheck, event_id: int, report: VerificationReport) -> None:
    """The log's search `event_id` by actor 7, returning the one child `_child(event_id)`, as the scan
    passes it."""
    entry = {
        "id": event_id,
        "tag": AuditTag.SearchPerformed,
        "actor_id": 7,
        "occurred_at": AT,
        "additional": {"result_ids": [str(_child(event_id))]},
    }
    check.expect(event_id, search_expected(entry), report)


def test_a_search_with_an_inserted_row_is_reported_before_the_rest_of_the_table_is_read():
    report = VerificationReport(heads=0)

    def stored() -> Iterator[tuple[int, int, UUID, datetime]]:
        yield 1, 7, _child(1), AT
        yield 1, 7, _child(999_999), AT  # a row the log does not hold: it would hide a view
        for event_id in range(2, SEARCHES + 1):
            if event_id == 3:  # search 1 is over: its finding is out before anything more is read
                assert [(f.kind, f.event_id) for f in report.findings] == [("appearance_inserted", 1)], (
                    "the rows were gathered before any search was compared"
                )
            yield event_id, 7, _child(event_id), AT

    check = _AppearanceCheck(rows=stored())
    for event_id in range(1, SEARCHES + 1):
        _expect_search(check, event_id, report)
    check.finish(report)

    assert [(f.kind, f.event_id) for f in report.findings] == [("appearance_inserted", 1)]


def test_searches_with_no_rows_and_rows_with_no_search_are_both_reported_in_id_order():
    report = VerificationReport(heads=0)
    rows = [(1, 7, _child(1), AT), (4, 8, _child(4), AT), (5, 7, _child(5), AT)]
    check = _AppearanceCheck(rows=iter(rows))

    for event_id in (2, 4):
        _expect_search(check, event_id, report)
    check.finish(report)

    assert [(f.kind, f.event_id) for f in report.findings] == [
        ("appearance_inserted", 1),
        ("appearance_missing", 2),
        ("appearance_edited", 4),
        ("appearance_inserted", 5),
    ]
