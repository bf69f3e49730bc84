"""The clerical review page hands its template only the identifiers it shows.

Review (session 39, helper 12, after d30bcbc): the page shows a candidate's NHS number issued by another
body as "Held, issued by another body" (`linkage.views._nhs_number_cell`), yet handed each row's whole
decrypted candidate, the number's value included, to the template, which alone kept it off the page.
"""

from django.urls import reverse

from feeds.tests.factories import feed_row, health_rows_ingest
from linkage.models import ClericalReview
from tests.journeys import signed_in
from tests.pages import handed_to_template


def test_a_candidates_identifier_issued_by_another_body_is_not_handed_to_the_template(world, child):
    health_rows_ingest(
        world,
        [
            feed_row(
                given_names="Amelia",
                family_name="Thornton",
                date_of_birth="2015-03-14",
                postcode="LS9 9ZZ",
                nhs_number=None,
            )
        ],
    )
    review = ClericalReview.objects.get()
    response = signed_in(world.lena).get(reverse("linkage:review", args=[review.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "943 476 5919" not in page
    assert "Held, issued by another body" in page
    handed = handed_to_template(response)
    assert "943 476 5919" not in handed and "9434765919" not in handed
