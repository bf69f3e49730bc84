"""A transfer accept is never aborted by a hold whose copy is shredded as the accept reads it.

The accept reads each hold's sealed candidates under the review's key. A purge of another child the hold
names (or a decision) revokes that key at the provider first and blanks the row on its commit, so the
copy can stop opening between two reads of it. The accept read it twice once locked (whether it names
the child, then whether it names another child of the old LA): a key revoked in between was a
`KeyRevoked` out of `transfer_accept`, a 500 and the transfer not accepted. The copy is now read once
under the lock; one that does not open is left where it is (its shred is closing it).
"""

from typing import Any

import pytest

from accounts.models import Role
from children.models import Child
from lifecycle.models import Transfer, TransferStatus
from lifecycle.moves import transfer_accept, transfer_request
from linkage import holding
from linkage.tests.test_review_pages import _shielded_hold
from tests.personas import make_user
from vault.crypto import KeyRevoked


@pytest.fixture
def stella(world):
    return make_user("stella", world.south, Role.LA_TEAM)


def test_a_copy_whose_key_is_revoked_after_the_lock_does_not_abort_the_accept(
    world, shielded_child, stella, monkeypatch
):
    review = _shielded_hold(world, shielded_child)
    transfer = transfer_request(
        child=Child.objects.get(pk=shielded_child.pk), to_la=world.south, by=world.lena, reason="Moved"
    )
    original = holding.review_candidate_ids
    reads: list[int] = []

    def revoked_after_the_first_locked_read(locked_review: Any) -> set[str]:
        reads.append(1)
        if len(reads) > 2:  # the unlocked scan, then one read under the lock: the key goes after that
            raise KeyRevoked("the copy's key was revoked meanwhile")
        return original(locked_review)

    monkeypatch.setattr(holding, "review_candidate_ids", revoked_after_the_first_locked_read)

    assert transfer_accept(transfer=transfer, by=stella) is True

    assert Child.objects.get(pk=shielded_child.pk).local_authority_id == world.south.pk
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.ACCEPTED
    review.refresh_from_db()
    assert review.local_authority_id == world.south.pk  # read once under the lock, and moved
