"""A row's date of death is judged against the date of birth the record would show after it, not only the
row's own: a less trusted source whose row gives an earlier date of birth is refused, never leaving a record
that died before its (more trusted, displayed) date of birth for the next lifecycle run to archive."""

from children.models import Child
from children.selectors import child_details
from feeds.models import FieldProvenance, RowOutcome
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source, second_feed_row
from vault.sealing import Sealer


def test_a_row_whose_death_is_before_the_records_date_of_birth_is_refused_and_writes_nothing(world):
    trusted = health_source(world, trust_rank=1)
    assert feed_rows_ingest(trusted, [feed_row()], batch_id="b0").counts[RowOutcome.CREATED] == 1
    provenance_before = FieldProvenance.objects.count()
    other = health_source(world, code="school", trust_rank=500)
    report = feed_rows_ingest(
        other,
        [
            feed_row(record_id="S-1", date_of_birth="2016-06-20", date_of_death="2016-07-01"),
            second_feed_row(record_id="S-2"),
        ],
        batch_id="c1",
    )
    assert report.counts[RowOutcome.REJECTED] == 1
    assert report.counts[RowOutcome.CREATED] == 1  # the rest of the batch is taken
    [rejected] = report.rejected
    assert rejected.row_number == 1
    assert "date_of_death" in rejected.reason and "date of birth" in rejected.reason
    assert "2016" not in rejected.reason  # never the value
    [(harriet, details)] = [
        (c, d)
        for c in Child.objects.select_related("data_key")
        if (d := child_details(c, Sealer(c.data_key))).given_names == "Harriet"
    ]
    assert str(details.date_of_birth) == "2016-07-21"
    assert details.date_of_death is None
    # Nothing half-written: none of the refused row's statements is kept.
    assert not FieldProvenance.objects.filter(child=harriet, source=other).exists()
    assert FieldProvenance.objects.filter(child=harriet).count() == provenance_before


def test_a_death_after_the_records_date_of_birth_is_shown(world):
    trusted = health_source(world, trust_rank=1)
    feed_rows_ingest(trusted, [feed_row()], batch_id="b0")
    other = health_source(world, code="school", trust_rank=500)
    report = feed_rows_ingest(
        other,
        [feed_row(record_id="S-1", date_of_birth="2016-06-20", date_of_death="2016-08-01")],
        batch_id="c1",
    )
    assert report.rejected == []
    child = Child.objects.select_related("data_key").get()
    details = child_details(child, Sealer(child.data_key))
    assert (str(details.date_of_birth), str(details.date_of_death)) == ("2016-07-21", "2016-08-01")
