"""A row whose date of death falls before the date of birth the record shows (a more trusted source's) is
not applied, and kept as rejected with its reason for the data manager and the audit (session 38), but
its source is told "accepted", as any row matched to a child.

Review of session 39 (helper 9): that rejection can only happen once a row has matched a child, so the
same row resent after the child was shielded, moved to an LA the source does not cover or archived (held
for review: "accepted") went from "rejected" to "accepted", naming the change for one child, and its
reason told the source that the index holds a different date of birth.
"""

import pytest

from children.models import Child
from feeds.ingest import SOURCE_ACCEPTED, SOURCE_REJECTED, source_report
from feeds.models import RowOutcome
from feeds.provenance import DEATH_BEFORE_RECORDS_BIRTH
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source
from feeds.tests.test_a_source_cannot_tell_a_known_child_was_shielded import CHANGES


def _told(report):
    told = source_report(report)
    return told.counts, [(row.row_number, row.reason) for row in told.rejected]


def _death_before_the_trusted_birth() -> dict:
    return feed_row(record_id="S-1", date_of_birth="2016-06-20", date_of_death="2016-07-01")


def test_a_death_before_the_records_birth_is_kept_as_rejected_but_told_as_accepted(world):
    feed_rows_ingest(health_source(world, trust_rank=1), [feed_row()], batch_id="b0")
    school = health_source(world, code="school", trust_rank=500)
    bad_date = feed_row(record_id="S-2", date_of_birth="2016-02-30")
    report = feed_rows_ingest(school, [_death_before_the_trusted_birth(), bad_date], batch_id="d1")
    assert report.counts[RowOutcome.REJECTED] == 2
    assert DEATH_BEFORE_RECORDS_BIRTH in [row.reason for row in report.rejected]
    counts, rejected = _told(report)
    assert counts[SOURCE_ACCEPTED] == 1 and counts[SOURCE_REJECTED] == 1
    assert [number for number, _reason in rejected] == [2]  # the row that is not valid, by its number
    assert all(reason != DEATH_BEFORE_RECORDS_BIRTH for _number, reason in rejected)


@pytest.mark.parametrize("change", CHANGES)
def test_the_same_death_row_resent_is_told_the_same_after_its_child_changes(world, change):
    feed_rows_ingest(health_source(world, trust_rank=1), [feed_row()], batch_id="b0")
    school = health_source(world, code="school", trust_rank=500)
    day1 = feed_rows_ingest(school, [_death_before_the_trusted_birth()], batch_id="d1")
    CHANGES[change](world, Child.objects.get())
    day2 = feed_rows_ingest(school, [_death_before_the_trusted_birth()], batch_id="d2")
    assert _told(day2) == _told(day1), f"the source can tell its child was {change}"
