"""A shield on a child an open review names, committing while the review's row is resent: on PostgreSQL,
real concurrent sessions. The shield holds the review and renews its row token
(`linkage.services.review_row_token_renew`) under the child's key locks, which the resend's ingest takes
too (the row's keys are the child's): judged before the shield, the resend waits on the review under its
old token; judged after, the engine holds it for the team and it waits on the review under the renewed
one. Either way one open review of the row, held."""

from typing import Any

from children.models import Child
from feeds.models import FeedRow
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source
from lifecycle.shielding import shield_set
from linkage.models import ClericalReview, ReviewStatus
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_child

pytestmark = postgresql_race()


def _row() -> dict[str, Any]:
    return feed_row(
        given_names="Amelia",
        family_name="Thornton",
        date_of_birth="2015-03-04",
        nhs_number="401 023 2137",
        postcode="LS2 9JT",
        address_line="8 Fernbank Way",
    )


def test_a_resend_racing_the_shield_that_holds_its_review_waits_on_that_review(world):
    child = make_child(world)
    source = health_source(world)
    feed_rows_ingest(source, [_row()], batch_id="2026-12-01")
    review = ClericalReview.objects.get()

    def work(i: int) -> None:
        if i == 0:
            shield_set(
                child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm"
            )
        else:
            feed_rows_ingest(source, [_row()], batch_id="2026-12-02")

    run_together(2, work)

    review.refresh_from_db()
    assert review.shielded_hold and review.status == ReviewStatus.OPEN
    assert list(ClericalReview.objects.values_list("pk", flat=True)) == [review.pk]
    assert list(FeedRow.objects.values_list("review_id", flat=True)) == [review.pk, review.pk]

    feed_rows_ingest(source, [_row()], batch_id="2026-12-03")
    assert ClericalReview.objects.count() == 1
