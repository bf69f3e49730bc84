"""Twins whose given names share only a one-letter part (D'Andre and D'Angelo) are siblings to the engine,
never "a familiar form" of one name: a feed row about one never updates the other's record."""

from children.models import Child
from feeds.models import RowOutcome
from feeds.tests.factories import health_source
from linkage.models import ClericalReview, ReviewReason
from linkage.tests.test_linking import amelia, ingest
from tests.personas import make_child


def test_a_row_about_a_twin_whose_given_name_shares_only_its_d_apostrophe_is_never_linked(world):
    twin = make_child(world, given_names="D'Andre", family_name="Okafor", gender="male")
    before = bytes(twin.given_names)
    row = amelia(given_names="D'Angelo", family_name="Okafor", gender="male", nhs_number=None)
    report = ingest(health_source(world), [row])
    assert report.counts[RowOutcome.UPDATED] == 0
    assert report.counts[RowOutcome.REVIEW] == 1
    assert ClericalReview.objects.get().reason == ReviewReason.SIBLING
    assert Child.objects.count() == 1 and bytes(Child.objects.get().given_names) == before
