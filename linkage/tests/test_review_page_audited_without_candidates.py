"""Opening a review shows its incoming row (a child's name, date of birth, address) whether or not any
candidate is shown beside it: every showing is audited and counted by the viewing rules, not only those
with candidates (a review like a record closed for a new identity names no candidate, and shows the
birth identity's name and date of birth)."""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.tests.test_new_identity import AMELIA_ROW, FORM, _ingest
from linkage.models import ClericalReview, ReviewReason
from linkage.tests.test_review_pages import _possible_match
from tests.journeys import signed_in
from tests.pages import without_tokens
from tests.personas import make_child


def _opened(client, review) -> tuple[str, list[AuditEvent]]:
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    response = client.get(reverse("linkage:review", args=[review.pk]))
    assert response.status_code == 200
    return without_tokens(response.content.decode()), list(AuditEvent.objects.exclude(pk__in=before))


def test_a_review_like_a_record_closed_for_a_new_identity_is_audited_when_opened(world):
    old = make_child(world)
    assert signed_in(world.lena).post(reverse("moves:new_identity", args=[old.pk]), FORM).status_code == 302
    _ingest(world, **AMELIA_ROW)
    review = ClericalReview.objects.get()
    assert review.reason == ReviewReason.CLOSED_IDENTITY

    page, events = _opened(signed_in(world.lena), review)

    assert AMELIA_ROW["family_name"] in page
    viewed = [e for e in events if e.tag == AuditTag.ReviewViewed]
    assert len(viewed) == 1 and viewed[0].actor == world.lena
    assert viewed[0].child_id is None and viewed[0].additional["review_id"] == str(review.pk)


def test_a_review_whose_candidate_went_to_another_la_is_audited_when_the_data_manager_opens_it(world, child):
    review = _possible_match(world, child)
    Child.objects.filter(pk=child.pk).update(local_authority=world.south)

    page, events = _opened(signed_in(world.dara), review)

    assert "LS9 9ZZ" in page
    assert [e.tag for e in events if e.tag == AuditTag.ReviewViewed] == [AuditTag.ReviewViewed]


def test_a_review_with_candidates_is_still_audited_once_per_child_shown(world, child):
    review = _possible_match(world, child)

    _page, events = _opened(signed_in(world.lena), review)

    viewed = [e for e in events if e.tag == AuditTag.ReviewViewed]
    assert [e.child_id for e in viewed] == [child.pk]
