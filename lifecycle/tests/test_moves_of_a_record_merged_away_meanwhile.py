"""An address statement or a transfer request for a record merged into another while the page was on its
way: refused with a message, nothing written, not a server error.

The page's policy check read the record; a colleague then merged it into another record (the merge
deletes it). Both services re-read the row under its lock (`Child.objects.select_for_update().get`),
which raised `Child.DoesNotExist`: a 500 for the LA team, with no word of what happened. Shielding was
fixed the same way in session 25 (`test_shielding_a_record_merged_away_meanwhile.py`).
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from lifecycle import moves_views
from lifecycle.models import Transfer
from lifecycle.moves import address_status_record, transfer_request
from linkage.merging import child_merge
from tests.journeys import signed_in
from tests.personas import make_child

pytestmark = pytest.mark.django_db

MERGED = "This record has been merged into another since you opened it: nothing was changed"


def _pair(world):
    survivor = make_child(world, given_names="Amelia")
    duplicate = make_child(world, given_names="Amelie")
    return survivor, duplicate


def _merged_first(world, survivor, service):
    def merged_then(**kwargs):
        # A colleague's merge, committed while this request was on its way to the service's lock.
        child_merge(survivor=Child.objects.get(pk=survivor.pk), duplicate=kwargs["child"], by=world.lena)
        return service(**kwargs)

    return merged_then


def test_an_address_statement_for_a_record_merged_away_meanwhile_is_refused_on_the_page(world, monkeypatch):
    survivor, duplicate = _pair(world)
    monkeypatch.setattr(
        moves_views, "address_status_record", _merged_first(world, survivor, address_status_record)
    )

    response = signed_in(world.lena).post(reverse("moves:address", args=[duplicate.pk]), {"status": "none"})

    assert response.status_code == 200
    assert MERGED in response.content.decode()
    assert child_details(Child.objects.get(pk=survivor.pk)).address.status == "known"
    assert not AuditEvent.objects.filter(tag=AuditTag.AddressStatusRecorded).exists()


def test_a_transfer_request_for_a_record_merged_away_meanwhile_is_refused_on_the_page(world, monkeypatch):
    survivor, duplicate = _pair(world)
    monkeypatch.setattr(moves_views, "transfer_request", _merged_first(world, survivor, transfer_request))

    response = signed_in(world.lena).post(
        reverse("moves:transfer_new", args=[duplicate.pk]),
        {"to_la": str(world.south.pk), "reason": "Family moved to Southborough"},
    )

    assert response.status_code == 200
    assert MERGED in response.content.decode()
    assert not Transfer.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.TransferRequested).exists()
