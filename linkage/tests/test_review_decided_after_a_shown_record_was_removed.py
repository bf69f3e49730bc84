"""A decision posted from a page that showed a record removed since (its key shredded by a merge or purge
that then failed; its row waits for the next night's purge) writes nothing of that record, and answers.

The page left a removed record off, but one opened before the failed merge showed it, and posted it back
as seen: the decision's labels read its identity through its revoked key, a server error for the reviewer
(and a link to it would have written the row into a record nothing of which can be read).
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from feeds.review import review_decide
from linkage.models import ClericalReview, ReviewLabel, ReviewStatus
from linkage.tests.test_review_pages import _possible_match
from tests.journeys import signed_in
from tests.shredding import shred_rolled_back


def _page_then_removed(world, child):
    review = _possible_match(world, child)
    client = signed_in(world.lena)
    url = reverse("linkage:review", args=[review.pk])
    assert f'name="shown" value="{child.pk}"' in client.get(url).content.decode()
    shred_rolled_back(child)  # a merge of it failing after its shred, while the page was open
    return review, client, url


def test_not_a_match_from_a_page_that_showed_a_record_removed_since_labels_nothing_of_it(world, child):
    review, client, url = _page_then_removed(world, child)

    response = client.post(url, {"decision": "not_a_match", "shown": [str(child.pk)]})

    assert response.status_code == 302
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.NOT_A_MATCH
    assert not ReviewLabel.objects.filter(candidate_id=child.pk).exists()


def test_a_link_to_a_record_removed_since_it_was_shown_is_refused_and_writes_nothing(world, child):
    review, _, _ = _page_then_removed(world, child)

    with pytest.raises(ValueError):
        review_decide(review=review, decision="link", by=world.lena, child_id=child.pk, seen={str(child.pk)})

    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN
    assert not ReviewLabel.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewDecided).exists()
