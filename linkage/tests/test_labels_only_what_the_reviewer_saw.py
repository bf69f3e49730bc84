"""A review decision labels only the candidates the reviewer was shown (`ReviewLabel`: "every candidate
the reviewer was shown").

A candidate that moved to another LA after the review opened is not on the page (it is that LA's record
now), yet the decision labelled it too: a "non-match" nobody judged, often the very child the row is about
(it moved, and the row came from its new address), kept as training truth for the matcher and for
re-measuring the shield hold floor, and a sealed copy of another LA's child's identity made by this LA's
decision.
"""

from django.urls import reverse

from children.models import Child
from feeds.review import review_decide
from linkage.merging import child_merge
from linkage.models import ReviewLabel
from linkage.tests.test_review_pages import _possible_match
from tests.journeys import signed_in
from tests.personas import make_child


def test_a_candidate_moved_to_another_la_before_the_decision_is_not_labelled(world, child):
    review = _possible_match(world, child)
    Child.objects.filter(pk=child.pk).update(local_authority=world.south)

    # "Not a match" (since session 29 "new child" is refused while another LA holds a candidate).
    review_decide(review=review, decision="not_a_match", by=world.dara)

    assert not ReviewLabel.objects.filter(candidate_id=child.pk).exists()


def test_a_candidate_still_shown_is_labelled_as_decided(world, child):
    review = _possible_match(world, child)

    review_decide(review=review, decision="not_a_match", by=world.dara)

    label = ReviewLabel.objects.get(candidate_id=child.pk)
    assert not label.is_match and label.decision == "not_a_match"


def test_a_record_a_candidate_was_merged_into_after_the_page_opened_is_not_labelled(world, child):
    """The page shows the record carrying a merged candidate on (`review_candidates_shown`); a decision
    posted from a page opened before that merge never showed it, so labels it not."""
    review = _possible_match(world, child)
    client = signed_in(world.lena)
    url = reverse("linkage:review", args=[review.pk])
    assert f'name="shown" value="{child.pk}"' in client.get(url).content.decode()
    carrier = make_child(world, given_names="Amy", family_name="Thornton", postcode="LS2 9JT")
    child_merge(survivor=carrier, duplicate=Child.objects.get(pk=child.pk), by=world.lena)

    client.post(url, {"decision": "not_a_match", "shown": [str(child.pk)]})  # the page as it was

    assert not ReviewLabel.objects.filter(candidate_id=carrier.pk).exists()
