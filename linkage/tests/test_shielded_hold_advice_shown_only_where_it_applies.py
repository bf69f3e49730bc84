"""The shielded hold's words on the review page say only what holds there and then.

"A new child made from it is created shielded" is advice about "new child" on a hold about a shielded child:
not shown on a hold of a row resembling a record closed for a new identity, which offers only "not a match"
and names no shielded child. "Nothing was created or updated" is true only while the review is open: once
"new child" is decided a record was created, and the page says what was decided instead.
"""

from django.urls import reverse

from children.models import Child
from feeds.tests.factories import feed_row, health_rows_ingest
from lifecycle.tests.test_new_identity import AMELIA_ROW, FORM, _ingest
from linkage.models import ClericalReview, ReviewReason
from tests.journeys import signed_in
from tests.personas import make_child
from tests.review_pages import decision_posted

NEW_CHILD_ADVICE = "A new child made from it is created shielded"
NOTHING_DONE = "nothing was created or updated"


def _page(user, review):
    return signed_in(user).get(reverse("linkage:review", args=[review.pk])).content.decode()


def _shielded_hold(world):
    health_rows_ingest(
        world,
        [feed_row(given_names="Jasmine", family_name="Okafor", date_of_birth="2015-03-04", nhs_number=None)],
    )
    return ClericalReview.objects.get(shielded_hold=True)


def test_a_closed_identity_hold_gives_no_advice_on_a_new_child_it_never_offers(world):
    old = make_child(world)
    signed_in(world.lena).post(reverse("moves:new_identity", args=[old.pk]), FORM)
    _ingest(world, **AMELIA_ROW)
    review = ClericalReview.objects.get()
    assert review.reason == ReviewReason.CLOSED_IDENTITY and review.shielded_hold
    page = _page(world.lena, review)
    assert 'value="new_child"' not in page and 'value="not_a_match"' in page
    assert NEW_CHILD_ADVICE not in page and "the shielded child" not in page
    assert "Only your LA team can see this review" in page and NOTHING_DONE in page


def test_an_open_shielded_hold_says_nothing_was_done_and_how_a_new_child_is_made(world, shielded_child):
    page = _page(world.lena, _shielded_hold(world))
    assert 'value="new_child"' in page
    assert NOTHING_DONE in page and NEW_CHILD_ADVICE in page


def test_a_decided_shielded_hold_no_longer_says_nothing_was_created(world, shielded_child):
    review = _shielded_hold(world)
    decision_posted(world.lena, review, decision="new_child")
    assert Child.objects.exclude(pk=shielded_child.pk).get().shielded  # a record was created
    page = _page(world.lena, review)
    assert "Decided: Created as a new child" in page
    assert NOTHING_DONE not in page and NEW_CHILD_ADVICE not in page
    assert "Only your LA team can see this review" in page
