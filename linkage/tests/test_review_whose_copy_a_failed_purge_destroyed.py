"""A review whose sealed copy a failed purge destroyed says so; it is neither a server error nor decided.

Purging a child an open review names (a candidate, or an archived record its row resembles) shreds the
review's copy: the key is revoked at the provider first, then the row blanked and withdrawn. A purge
failing after the revocation leaves the review open with a copy that no longer opens until the next
night's purge withdraws it: its page and any decision met the revoked key, a server error each time.
"""

import contextlib

from django.db import transaction
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from linkage.models import ClericalReview, ReviewStatus
from linkage.tests.test_review_pages import _possible_match
from tests.journeys import signed_in
from vault.keys import data_key_shred
from vault.models import DataKey

DESTROYED = "a child it named has been purged"


class _PurgeFailed(Exception):
    """The failure after the shred (a lost connection, a full disk)."""


def _copy_destroyed_by_a_purge_that_failed(review: ClericalReview) -> None:
    with contextlib.suppress(_PurgeFailed), transaction.atomic():
        data_key_shred(DataKey.objects.get(pk=review.data_key_id))
        raise _PurgeFailed
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN  # the row rolled back


def test_the_page_of_a_review_whose_copy_was_destroyed_says_so_and_offers_no_decision(world, child):
    review = _possible_match(world, child)
    _copy_destroyed_by_a_purge_that_failed(review)

    response = signed_in(world.dara).get(reverse("linkage:review", args=[review.pk]))

    page = response.content.decode()
    assert response.status_code == 200 and DESTROYED in page
    assert 'name="decision"' not in page and "LS9 9ZZ" not in page


def test_a_decision_posted_on_a_review_whose_copy_was_destroyed_writes_nothing_and_says_why(world, child):
    review = _possible_match(world, child)
    _copy_destroyed_by_a_purge_that_failed(review)
    records = Child.objects.count()

    client = signed_in(world.dara)
    response = client.post(
        reverse("linkage:review", args=[review.pk]), {"decision": "not_a_match"}, follow=True
    )

    assert DESTROYED in response.content.decode()
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN
    assert Child.objects.count() == records
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewDecided).exists()
