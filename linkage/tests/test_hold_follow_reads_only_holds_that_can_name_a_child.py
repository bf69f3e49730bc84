"""A transfer accept unseals only the holds that can name the child it moves.

The accept reads the old LA's open holds under their own keys to find those naming the child (one key
unwrapped at the provider for each), inside its transaction, holding the child's key locks, its row and
the transfer: feed rows about the child wait for it. A review resembling a record closed for a new
identity is a hold too (`linkage.linking.creation_hold`) but names no candidate, by construction, and
stays with the team that closed the identity: reading it could move nothing, and an LA receiving rows
about its closed identities gathers many. The accept leaves them unread.
"""

from typing import Any

from django.urls import reverse

from accounts.models import Role
from children.models import Child, RecordStatus
from lifecycle.moves import transfer_accept, transfer_request
from lifecycle.tests.test_new_identity import AMELIA_ROW, FORM, _ingest
from linkage import holding
from linkage.models import ClericalReview, ReviewReason
from tests.journeys import signed_in
from tests.personas import make_child, make_user


def test_an_accept_does_not_unseal_the_old_las_closed_identity_reviews(world, monkeypatch):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    old = make_child(world)
    assert signed_in(world.lena).post(reverse("moves:new_identity", args=[old.pk]), FORM).status_code == 302
    _ingest(world, **AMELIA_ROW)
    closed_review = ClericalReview.objects.get(reason=ReviewReason.CLOSED_IDENTITY)
    assert (closed_review.local_authority_id, closed_review.shielded_hold) == (world.north.pk, True)
    new = Child.objects.exclude(pk=old.pk).get(status=RecordStatus.ACTIVE, local_authority=world.north)
    transfer = transfer_request(child=new, to_la=world.south, by=world.lena, reason="Moved to Southborough")
    original = holding.review_candidate_ids
    read: list[Any] = []

    def counted(review: ClericalReview) -> set[str]:
        read.append(review.pk)
        return original(review)

    monkeypatch.setattr(holding, "review_candidate_ids", counted)

    assert transfer_accept(transfer=transfer, by=stella) is True

    assert closed_review.pk not in read
    closed_review.refresh_from_db()
    assert closed_review.local_authority_id == world.north.pk  # stays with the team that closed it
