"""A data manager's decision sent as the review becomes a shielded hold is refused, under the review's lock.

The page checked the policy on the review as read; the LA team then shielded a child the review names,
which made the review a shielded hold (`linkage.holding`), only the team's to decide. The decision is
judged again on the review as locked: before, a data manager's link went into the shielded child.
"""

from unittest import mock

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from feeds import review as feed_review
from lifecycle.shielding import shield_set
from linkage import views as review_pages
from linkage.models import ClericalReview, ReviewStatus
from linkage.tests.test_review_pages import _possible_match
from tests.journeys import signed_in


def test_a_link_sent_as_the_candidate_is_shielded_is_refused_and_changes_nothing(world, child):
    review = _possible_match(world, child)
    real_decide = feed_review.review_decide

    def shielded_first(**kwargs):
        shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm")
        return real_decide(**kwargs)

    with mock.patch.object(review_pages, "review_decide", shielded_first):
        response = signed_in(world.dara).post(
            reverse("linkage:review", args=[review.pk]), {"decision": "link", "child": str(child.pk)}
        )
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN and review.shielded_hold
    assert child_details(Child.objects.get(pk=child.pk)).address.postcode == "LS1 4AB"  # not written
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewDecided).exists()
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, additional__reason="review_shielded").exists()
    assert ClericalReview.objects.get(pk=review.pk).copy_shredded_at is None  # still there for the team
