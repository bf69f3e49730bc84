"""A review shows the record one of its candidates was merged into since, weighed again, and links to it.

A review names its candidates as they were when it opened. A candidate merged away since is gone; until
session 30 the record carrying it on (`linkage.retention.carriers_of`) was not shown either, so the row
could not be linked to the child it may be, and "new child" was refused (a second record of that child):
"not a match" was left, and the row reached no record. Now the page shows that record, scored against
the row by the engine, and a link, "new child" or "not a match" is judged with it in view. "New child"
from a page that did not show it (opened before the merge) is refused in words.
"""

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.moves import transfer_accept, transfer_request
from linkage.merging import child_merge, child_unmerge
from linkage.models import ChildMerge, ClericalReview, ReviewLabel, ReviewStatus
from linkage.tests.test_review_pages import _possible_match
from tests.journeys import signed_in
from tests.personas import make_child, make_user

CARRIER_NOTE = "Carries on a child this record was compared with, since a merge (or its undoing)"
CHANGED = "have changed since you opened this review"


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


def _page(user, review) -> str:
    return signed_in(user).get(reverse("linkage:review", args=[review.pk])).content.decode()


def test_the_review_shows_the_record_its_candidate_was_merged_into_weighed_against_the_row(world, child):
    review = _possible_match(world, child)
    carrier = _merged_into_another(world, child)

    page = _page(world.lena, review)

    assert CARRIER_NOTE in page and "LS2 9JT" in page  # the carrier's own details, side by side
    assert f'name="child" type="radio" value="{carrier.pk}"' in page
    assert f'name="shown" value="{carrier.pk}"' in page
    assert 'value="new_child"' in page and "not shown here" not in page
    # Weighed by the engine against the row: the same date of birth one digit out as the candidate was.
    assert "one_digit" in page
    viewed = AuditEvent.objects.filter(tag=AuditTag.ReviewViewed, child_id=carrier.pk)
    assert viewed.count() == 1  # the look at the carrier is audited like any candidate's


def test_the_row_links_to_the_record_its_candidate_was_merged_into(world, child):
    review = _possible_match(world, child)
    carrier = _merged_into_another(world, child)

    signed_in(world.lena).post(
        reverse("linkage:review", args=[review.pk]),
        {"decision": "link", "child": str(carrier.pk), "shown": [str(carrier.pk)]},
    )

    review.refresh_from_db()
    assert review.status == ReviewStatus.LINKED and review.decided_child_id == carrier.pk
    label = ReviewLabel.objects.get(review=review)
    assert label.candidate_id == carrier.pk and label.is_match
    decided = AuditEvent.objects.get(tag=AuditTag.ReviewDecided)
    assert decided.child_id == carrier.pk and decided.additional["decision"] == "link"


def test_new_child_from_a_page_opened_before_the_merge_is_refused_and_made_once_the_carrier_is_seen(
    world, child
):
    review = _possible_match(world, child)
    before_the_merge = _page(world.lena, review)
    assert f'name="shown" value="{child.pk}"' in before_the_merge
    carrier = _merged_into_another(world, child)
    records = Child.objects.count()

    response = signed_in(world.lena).post(
        reverse("linkage:review", args=[review.pk]), {"decision": "new_child", "shown": [str(child.pk)]}
    )

    assert response.status_code == 400 and CHANGED in response.content.decode()
    assert Child.objects.count() == records
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN

    signed_in(world.lena).post(
        reverse("linkage:review", args=[review.pk]), {"decision": "new_child", "shown": [str(carrier.pk)]}
    )
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.NEW_CHILD
    assert Child.objects.count() == records + 1


def test_the_team_a_review_followed_a_merged_away_candidate_to_is_shown_its_record_and_links_it(
    world, child, stella
):
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

    assert CARRIER_NOTE in _page(stella, review)
    signed_in(stella).post(
        reverse("linkage:review", args=[review.pk]),
        {"decision": "link", "child": str(carrier.pk), "shown": [str(carrier.pk)]},
    )
    assert ClericalReview.objects.get(pk=review.pk).decided_child_id == carrier.pk


def test_after_an_unmerge_the_review_shows_the_restored_record_not_the_survivor(world, child):
    review = _possible_match(world, child)
    carrier = _merged_into_another(world, child)
    restored = child_unmerge(
        merge=ChildMerge.objects.get(survivor=carrier), by=world.lena, reason="not the same"
    )

    page = _page(world.lena, review)

    assert f'name="shown" value="{restored.pk}"' in page  # the candidate's identity, under its new id
    assert f'name="shown" value="{carrier.pk}"' not in page  # no longer carries it
    assert CARRIER_NOTE in page  # said of the restored record too: not named by the review
