"""A link writing a death before the date of birth the record shows (a more trusted source's) is refused in
words, nothing written, as the same row sent to the feed is (`feeds.provenance.DeathBeforeBirth`)."""

from html import unescape

from children.models import Child
from children.selectors import child_details
from feeds.models import FieldProvenance
from feeds.review import DEATH_BEFORE_BIRTH_WORDS
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source
from linkage.models import ClericalReview, ReviewStatus
from tests.review_pages import decision_posted
from vault.sealing import Sealer


def test_a_link_whose_death_is_before_the_records_trusted_date_of_birth_is_refused(world):
    trusted = health_source(world, trust_rank=1)
    feed_rows_ingest(
        trusted,
        [feed_row(given_names="Amelia", family_name="Thornton", date_of_birth="2015-03-04", nhs_number=None)],
        batch_id="b0",
    )
    child = Child.objects.get()
    school = health_source(world, code="school", trust_rank=500)
    feed_rows_ingest(
        school,
        [
            feed_row(
                record_id="S-1",
                given_names="Amelia",
                family_name="Thornton",
                date_of_birth="2015-02-04",
                date_of_death="2015-02-20",
                postcode="LS9 9ZZ",
                nhs_number=None,
            )
        ],
        batch_id="c1",
    )
    review = ClericalReview.objects.get()

    response = decision_posted(world.dara, review, decision="link", child=str(child.pk))

    assert response.status_code == 400
    assert DEATH_BEFORE_BIRTH_WORDS in unescape(response.content.decode())
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN
    stored = Child.objects.select_related("data_key").get()
    details = child_details(stored, Sealer(stored.data_key))
    assert (str(details.date_of_birth), details.date_of_death) == ("2015-03-04", None)
    assert not FieldProvenance.objects.filter(child=stored, source=school).exists()
