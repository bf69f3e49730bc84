""" "New child" is not made on a review whose candidate was merged into a record the team is not shown.

A review names its candidates as they were when it opened. A candidate merged away since is gone; the
record carrying it on (`linkage.retention.carriers_of`) is not one of the review's candidates, so no team is
shown it (`review_candidates_shown`). The review follows the carrier to its LA (`reviews_follow`, the
sweep), and "new child" was refused only while another LA held the carrier: once there, the team it
followed to was shown no candidate and "new child" was offered and made, a second record of the child
the row resembled (the duplicate the follow was meant to prevent). Now "new child" is refused, and not
offered, while any record carrying a child the review names is not shown on it.
"""

import pytest
from django.urls import reverse

from accounts.models import Role
from children.models import Child
from lifecycle.moves import transfer_accept, transfer_request
from linkage.merging import child_merge
from linkage.models import ClericalReview, ReviewStatus
from linkage.tests.test_review_pages import _possible_match
from tests.journeys import signed_in
from tests.personas import make_child, make_user

MERGED_AWAY = "has since been merged into another record"


@pytest.fixture
def stella(world):
    return make_user("stella", world.south, Role.LA_TEAM)


def _merged_into_another(world, child) -> Child:
    """The review's candidate merged into another North record, which carries it on."""
    carrier = make_child(world, given_names="Amy", family_name="Thornton", postcode="LS2 9JT")
    child_merge(
        survivor=carrier, duplicate=Child.objects.get(pk=child.pk), by=world.lena, reason="same child"
    )
    return carrier


def test_new_child_is_not_made_by_the_team_a_review_followed_a_merged_away_candidate_to(world, child, stella):
    review = _possible_match(world, child)
    carrier = _merged_into_another(world, child)
    transfer = transfer_request(
        child=Child.objects.get(pk=carrier.pk),
        to_la=world.south,
        by=world.lena,
        reason="Moved to Southborough",
    )
    assert transfer_accept(transfer=transfer, by=stella)
    review.refresh_from_db()
    assert review.local_authority_id == world.south.pk  # followed the record carrying its candidate
    before = Child.objects.count()

    page = signed_in(stella).get(reverse("linkage:review", args=[review.pk])).content.decode()
    assert MERGED_AWAY in page and 'value="new_child"' not in page

    response = signed_in(stella).post(reverse("linkage:review", args=[review.pk]), {"decision": "new_child"})
    assert response.status_code == 400 and MERGED_AWAY in response.content.decode()
    assert Child.objects.count() == before  # no second record of the child South holds
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN


def test_new_child_is_not_made_on_a_review_whose_candidate_was_merged_within_its_la(world, child):
    review = _possible_match(world, child)
    _merged_into_another(world, child)
    before = Child.objects.count()

    response = signed_in(world.lena).post(
        reverse("linkage:review", args=[review.pk]), {"decision": "new_child"}
    )

    assert response.status_code == 400 and MERGED_AWAY in response.content.decode()
    assert Child.objects.count() == before
    response = signed_in(world.lena).post(
        reverse("linkage:review", args=[review.pk]), {"decision": "not_a_match"}
    )
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.NOT_A_MATCH
