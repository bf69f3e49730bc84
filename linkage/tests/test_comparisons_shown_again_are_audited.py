"""The merge comparison and the clerical review decrypt records side by side; every time they are shown,
a form shown again with its errors included, the look is in each child's log.

Both pages audited the GET only ("a form shown again re-shows what was just audited"), but nothing makes a
POST follow a GET: an empty POST (no reason, no decision) showed both records, a shielded child's
address included, with nothing in the log (session 16 closed the same gap on the correction and lead
professional pages).
"""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from feeds.tests.factories import feed_row, health_rows_ingest
from linkage.models import ClericalReview
from tests.journeys import signed_in
from tests.personas import make_child


def test_an_empty_post_to_the_merge_comparison_shows_the_records_only_with_the_look_audited(world):
    survivor = make_child(world)
    duplicate = make_child(
        world, family_name="Thorntone", given_names="Amelia-Rose", postcode="LS6 1AA", shielded=True
    )
    response = signed_in(world.lena).post(
        reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk]), {}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "LS6 1AA" in page and "LS1 4AB" in page  # shown again
    seen = AuditEvent.objects.filter(tag=AuditTag.MergeCompared, actor=world.lena)
    assert sorted(str(e.child_id) for e in seen) == sorted([str(survivor.pk), str(duplicate.pk)])


def test_a_review_shown_again_without_a_decision_is_audited_for_each_child_it_shows(world, shielded_child):
    rows = [
        feed_row(given_names="Jasmine", family_name="Okafor", date_of_birth="2015-03-04", nhs_number=None)
    ]
    health_rows_ingest(world, rows)
    review = ClericalReview.objects.get(shielded_hold=True)
    response = signed_in(world.lena).post(reverse("linkage:review", args=[review.pk]), {})
    assert response.status_code == 400 and "LS6 2QT" in response.content.decode()  # the shielded address
    event = AuditEvent.objects.get(tag=AuditTag.ReviewViewed)
    assert (event.actor_id, event.child_id) == (world.lena.pk, shielded_child.pk)
    assert event.additional["review_id"] == str(review.pk)
