"""A feed row whose nearby-date tier is over the candidate cap, with nothing plausible at the typed date,
goes to review: it is never created as a new child beside one it did not look at.

Linkage widens tier by tier as search does (`matching.blocking.candidates_within`); a tier that would pass
the cap is left out whole. Left out, the children born a keying mistake from the row's date were never
compared, and a row about one of them (its date mistyped) found nothing plausible and was created as a
new, duplicate child. `LINK_CANDIDATE_LIMIT` is lowered to 5 so national density fits in a test.
"""

from datetime import date

from children.models import Child
from children.records import Gender
from feeds.models import RowOutcome
from feeds.tests.factories import feed_row, health_rows_ingest
from linkage import linking
from linkage.linking import IncomingRecord, Outcome, link_decide
from linkage.models import ClericalReview, ReviewReason
from matching.identity import Identity
from tests.personas import make_child

ROW_DATE = date(2015, 3, 4)


def _smiths(world):
    """Amelia Smith, born 14 March 2015; other Smiths born on dates one keying mistake from 4 March 2015."""
    target = make_child(world, given_names="Amelia", family_name="Smith", date_of_birth=date(2015, 3, 14))
    for day in (5, 6, 7, 8, 9, 24):
        make_child(
            world, given_names="Zed", family_name="Smith", date_of_birth=date(2015, 3, day), gender="male"
        )
    return target


def _record(world, dob: date = ROW_DATE) -> IncomingRecord:
    identity = Identity(
        family_names=("Smith",), given_names=("Amelia",), date_of_birth=dob, gender=Gender.FEMALE
    )
    return IncomingRecord(identity=identity, local_authority_id=world.north.pk)


def test_nothing_plausible_with_the_nearby_dates_over_the_cap_is_a_review_not_a_new_child(world, monkeypatch):
    monkeypatch.setattr(linking, "LINK_CANDIDATE_LIMIT", 5)
    _smiths(world)
    decision = link_decide(record=_record(world), la_ids=frozenset({world.north.pk}))
    assert decision.outcome == Outcome.REVIEW
    assert decision.reason == ReviewReason.TOO_MANY and decision.review_la_id == world.north.pk


def test_within_the_cap_the_row_is_compared_with_the_child_one_digit_out(world):
    target = _smiths(world)
    decision = link_decide(record=_record(world), la_ids=frozenset({world.north.pk}))
    assert decision.outcome != Outcome.NEW
    assert target.pk in [c.child.pk for c in decision.candidates] or decision.child == target


def test_a_match_at_the_typed_date_is_still_decided_though_the_nearby_dates_are_over_the_cap(
    world, monkeypatch
):
    monkeypatch.setattr(linking, "LINK_CANDIDATE_LIMIT", 5)
    target = _smiths(world)
    decision = link_decide(record=_record(world, date(2015, 3, 14)), la_ids=frozenset({world.north.pk}))
    assert (decision.outcome, decision.child) == (Outcome.UPDATE, target)


def test_only_the_name_only_tier_over_the_cap_still_makes_a_new_child(world, monkeypatch):
    """The name-only tier (no date) is left out for most rows of a common name at national scale: a row
    nothing dated resembles is a new child, as before (only the nearby-date tier's absence is a review)."""
    monkeypatch.setattr(linking, "LINK_CANDIDATE_LIMIT", 2)
    for year in (2010, 2011, 2012):
        make_child(world, given_names="Amelia", family_name="Smith", date_of_birth=date(year, 9, 19))
    decision = link_decide(record=_record(world), la_ids=frozenset({world.north.pk}))
    assert decision.outcome == Outcome.NEW


def test_a_feed_row_is_held_for_review_and_no_child_is_created(world, monkeypatch):
    monkeypatch.setattr(linking, "LINK_CANDIDATE_LIMIT", 5)
    _smiths(world)
    before = Child.objects.count()
    row = feed_row(given_names="Amelia", family_name="Smith", date_of_birth="2015-03-04", nhs_number=None)
    report = health_rows_ingest(world, [row])
    assert report.counts[RowOutcome.CREATED] == 0 and report.counts[RowOutcome.REVIEW] == 1
    assert Child.objects.count() == before
    assert ClericalReview.objects.get().reason == ReviewReason.TOO_MANY
