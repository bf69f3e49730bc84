"""The side by side shows an incoming row's date of death (and each child's, none recorded as such), so
whoever links the row sees the death the link writes into the record."""

from html import unescape

from django.urls import reverse

from feeds.tests.factories import feed_row, health_rows_ingest
from linkage.models import ClericalReview
from tests.journeys import signed_in


def _row_review(world, **row):
    health_rows_ingest(
        world,
        [feed_row(given_names="Amelia", family_name="Thornton", postcode="LS9 9ZZ", nhs_number=None, **row)],
    )
    return ClericalReview.objects.get()


def _page(world, review) -> str:
    return unescape(signed_in(world.dara).get(reverse("linkage:review", args=[review.pk])).content.decode())


def test_the_side_by_side_shows_the_incoming_rows_date_of_death(world, child):
    review = _row_review(world, date_of_birth="2015-03-14", date_of_death="2016-01-02")

    page = _page(world, review)

    assert 'id="date-of-death"' in page
    row = page.split('id="date-of-death"')[1].split("</tr>")[0]
    assert "Date of death" in row and "2016-01-02" in row and "none recorded" in row


def test_no_date_of_death_row_when_the_incoming_row_gives_none(world, child):
    review = _row_review(world, date_of_birth="2015-03-14")

    page = _page(world, review)

    assert "Date of death" not in page
