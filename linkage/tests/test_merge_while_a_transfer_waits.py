"""A record whose transfer to another local authority is waiting is not merged until that is decided.

A merge deletes the duplicate's rows; its transfers went with them (CASCADE), with no event: the receiving
team's waiting request vanished from its page, the child stayed where the sending team had asked it not
to, and the audit trail shows a transfer requested and never ended. A waiting request on the record kept
would hand the receiving LA the duplicate's carers and involvements, which it never agreed to take. The
merge, under both records' row locks (which a transfer request takes too), refuses while either waits.
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.models import Transfer, TransferStatus
from lifecycle.moves import transfer_request
from linkage.merging import MergeRefused, child_merge
from linkage.models import ChildMerge
from linkage.tests.test_merge_pages import REASON, _pair
from tests.journeys import signed_in


@pytest.mark.parametrize("moving", ["duplicate", "survivor"])
def test_a_record_with_a_transfer_waiting_is_not_merged_and_the_request_stays(world, moving):
    survivor, duplicate = _pair(world)
    child = {"duplicate": duplicate, "survivor": survivor}[moving]
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="Family moved south")

    response = signed_in(world.lena).post(
        reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk]), REASON, follow=True
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was changed" in page
    assert Child.objects.count() == 2 and not ChildMerge.objects.exists()
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildMerged).exists()


def test_the_service_refuses_too(world):
    survivor, duplicate = _pair(world)
    transfer_request(child=duplicate, to_la=world.south, by=world.lena, reason="Family moved south")
    with pytest.raises(MergeRefused, match="transfer"):
        child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    assert Transfer.objects.filter(status=TransferStatus.PENDING).count() == 1
