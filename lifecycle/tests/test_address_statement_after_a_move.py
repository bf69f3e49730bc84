"""An address statement from a page that read the record before another LA accepted it, or before the
archive job archived it, writes nothing: the page's policy check no longer holds (the same guard as a
new-identity close and a transfer request)."""

from datetime import date

import pytest

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from lifecycle.moves import RecordChangedSince, address_status_record, transfer_accept, transfer_request
from lifecycle.services import child_archive
from tests.personas import make_child, make_user


def _as_the_page_read_it(child: Child) -> Child:
    return Child.objects.select_related("data_key", "local_authority").get(pk=child.pk)


def test_the_old_las_address_statement_after_a_transfer_leaves_the_new_las_record_alone(world):
    child = make_child(world)
    page_copy = _as_the_page_read_it(child)  # North's address page
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="moved")
    assert transfer_accept(transfer=transfer, by=make_user("stella", world.south, Role.LA_TEAM))
    with pytest.raises(RecordChangedSince, match="moved to another local authority"):
        address_status_record(
            child=page_copy, by=world.lena, status="left_england", return_intention="intends_to_return"
        )
    now = Child.objects.select_related("data_key").get(pk=child.pk)
    assert child_details(now).address.status == "known"
    assert not AuditEvent.objects.filter(tag=AuditTag.AddressStatusRecorded).exists()


def test_an_address_statement_after_the_archive_job_leaves_the_archived_record_alone(world):
    child = make_child(world)
    page_copy = _as_the_page_read_it(child)
    assert child_archive(child_id=child.pk, rule="age", today=date(2033, 3, 4))
    with pytest.raises(RecordChangedSince, match="archived or closed"):
        address_status_record(child=page_copy, by=world.lena, status="none")
    now = Child.objects.select_related("data_key").get(pk=child.pk)
    assert child_details(now).address.status == "known"
    assert not AuditEvent.objects.filter(tag=AuditTag.AddressStatusRecorded).exists()
