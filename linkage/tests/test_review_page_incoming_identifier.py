"""The clerical review page shows the incoming record's NHS number as the record page would: its value
only to staff of the body that issued it.

Session 16 hid the candidates' NHS numbers from reviewers who did not issue them, and kept the evidence
("the same as the incoming record's" or not). The incoming record's own number stayed in clear: a number
the LA team would never be shown on the record made from the row, and, beside "the same as the incoming
record's", the candidate's number too.
"""

from django.urls import reverse

from feeds.tests.factories import feed_row, health_rows_ingest
from linkage.models import ClericalReview, ReviewReason
from tests.journeys import signed_in

OTHER_NUMBER = "401 023 2137"  # a valid NHS number, not the candidate's (943 476 5919)


def _identifier_conflict(world) -> ClericalReview:
    """Amelia Thornton exactly, but another NHS number: a conflict goes to review however well the rest
    agrees."""
    rows = [
        feed_row(
            given_names="Amelia",
            family_name="Thornton",
            date_of_birth="2015-03-04",
            postcode="LS1 4AB",
            nhs_number=OTHER_NUMBER,
        )
    ]
    health_rows_ingest(world, rows)
    review = ClericalReview.objects.get()
    assert review.reason == ReviewReason.IDENTIFIER_CONFLICT
    return review


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def test_the_incoming_nhs_number_is_not_shown_to_a_reviewer_who_did_not_issue_it(world, child):
    review = _identifier_conflict(world)
    for reviewer in (world.lena, world.dara):  # North's LA team and data manager: not the health body
        page = signed_in(reviewer).get(reverse("linkage:review", args=[review.pk])).content.decode()
        assert "LS1 4AB" in page  # the comparison is on the page
        assert OTHER_NUMBER not in page and _digits(OTHER_NUMBER) not in _digits(page)
        assert "Given, issued by another body" in page
        assert "Held, issued by another body: not the incoming record&#x27;s" in page
