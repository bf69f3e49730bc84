"""A review decided late carries the row's word as of when the source sent it, not as of the decision.

A source's row went to review; the same source then sent a newer row, linked at once. Linking the first
row days later must not make its older statement the source's latest (it displaced the newer address).
"""

from children.models import Child
from children.selectors import child_details
from feeds.review import ReviewDecision, review_decide
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_ingest import ingest
from linkage.models import ClericalReview
from tests.personas import make_child


def _row(**changes):
    return feed_row(given_names="Amelia", family_name="Thornton", date_of_birth="2015-03-04", **changes)


def test_a_row_linked_by_a_late_review_does_not_displace_what_its_source_said_since(world):
    child = make_child(world)  # NHS 943 476 5919
    source = health_source(world)
    ingest(source, [_row(nhs_number="401 023 2137", postcode="LS2 9JT", address_line="8 Fernbank Way")], "b1")
    review = ClericalReview.objects.get()  # another NHS number: sent to review
    ingest(source, [_row(postcode="LS6 1AA", address_line="4 Harrow Close")], "b2")  # newer, linked at once
    assert child_details(Child.objects.get(pk=child.pk)).address.postcode == "LS6 1AA"
    review_decide(review=review, decision=ReviewDecision.LINK, by=world.lena, child_id=child.pk)
    assert child_details(Child.objects.get(pk=child.pk)).address.postcode == "LS6 1AA"
