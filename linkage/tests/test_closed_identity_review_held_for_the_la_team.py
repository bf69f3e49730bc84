"""A row resembling a record closed for a new identity is the LA team's to review, never the data manager's.

The review names the identity given up (the row is about it), and only the LA team that made the new
identity may know there is one: a data manager seeing the birth name held "closed for a new identity"
learns that the child lives on under another. The review was opened as an ordinary one when the closed
record was not shielded (an adoption, usually), so it sat in the data manager's queue, who could open it
and decide it. It is now held for the team from its opening, as a hold about a shielded child is.
"""

import pytest
from django.urls import reverse

from lifecycle.tests.test_new_identity import AMELIA_ROW, FORM, _ingest
from linkage.models import ClericalReview, ReviewReason, ReviewStatus
from tests.journeys import signed_in
from tests.migrations import migrate_to
from tests.personas import make_child


def test_a_closed_identity_review_is_held_for_the_la_team_only(world):
    old = make_child(world)
    assert signed_in(world.lena).post(reverse("moves:new_identity", args=[old.pk]), FORM).status_code == 302
    _ingest(world, **AMELIA_ROW)

    review = ClericalReview.objects.get()
    assert review.reason == ReviewReason.CLOSED_IDENTITY
    assert (review.local_authority_id, review.shielded_hold) == (world.north.pk, True)
    dara = signed_in(world.dara)
    assert str(review.pk) not in dara.get(reverse("linkage:reviews")).content.decode()
    assert dara.get(reverse("linkage:review", args=[review.pk])).status_code == 403
    dara.post(reverse("linkage:review", args=[review.pk]), {"decision": "not_a_match"})
    assert ClericalReview.objects.get().status == ReviewStatus.OPEN  # the data manager decides nothing

    lena = signed_in(world.lena)
    assert str(review.pk) in lena.get(reverse("linkage:reviews")).content.decode()
    assert (
        lena.post(reverse("linkage:review", args=[review.pk]), {"decision": "not_a_match"}).status_code == 302
    )
    assert ClericalReview.objects.get().status == ReviewStatus.NOT_A_MATCH


@pytest.mark.django_db(transaction=True)
def test_a_closed_identity_review_opened_before_is_held_by_the_migration(world):
    old = make_child(world)
    assert signed_in(world.lena).post(reverse("moves:new_identity", args=[old.pk]), FORM).status_code == 302
    _ingest(world, **AMELIA_ROW)
    ClericalReview.objects.update(shielded_hold=False)  # as it was opened before reviews were held

    migrate_to([("linkage", "0008_retire_merged_away_numbers")])
    migrate_to(None)

    assert ClericalReview.objects.get().shielded_hold
