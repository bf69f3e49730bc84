"""The LA team's move pages of a record removed but not yet deleted: said in words, nothing written.

A merge (or purge) failing after its shred leaves an active record whose own key no longer opens, until
the nightly run deletes it, or, if it is shielded, until a person has checked the shield (the merge run
again tells the LA team to shield the other record). The transfer, address, new identity and shielding
pages offered their forms on it, and each answer was a server error: the service sealed the reason (or
read the record) under the shredded key. They now say "This record has been removed", as the record's own
pages do, audited as that alone.
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.models import Closure, Transfer
from lifecycle.tests.support import events
from tests.journeys import signed_in
from tests.shredding import shred_rolled_back

REMOVED = "This record has been removed"


def _pages(world, child):
    return {
        "moves:transfer_new": {"to_la": str(world.south.pk), "reason": "Family moved to Southborough"},
        "moves:address": {"status": "none"},
        "moves:new_identity": {
            "category": "protection",
            "given_names": "Rose",
            "family_name": "Marchbank",
            "gender": "female",
            "dob_day": "4",
            "dob_month": "3",
            "dob_year": "2015",
            "line_1": "1 New Street",
            "town": "Leeds",
            "postcode": "LS2 9JT",
            "confirm": "on",
        },
        "moves:shielding": {
            "change": "lift" if child.shielded else "apply",
            "reason": "Risk",
            "confirm": "on",
        },
    }


@pytest.mark.parametrize("fixture", ["child", "shielded_child"])
def test_each_move_page_of_a_removed_record_says_so_and_writes_nothing(world, fixture, request):
    child = request.getfixturevalue(fixture)
    shred_rolled_back(child)  # a merge failing after its shred
    client = signed_in(world.lena)
    before = AuditEvent.objects.count()
    pages = _pages(world, child)
    for name, form in pages.items():
        url = reverse(name, args=[child.pk])
        for method, response in (("GET", client.get(url)), ("POST", client.post(url, form))):
            assert response.status_code == 410, (name, method, response.status_code)
            page = response.content.decode()
            assert REMOVED in page and "Thornton" not in page and "Okafor" not in page, (name, method)
    stored = Child.objects.get(pk=child.pk)
    assert (stored.status, stored.shielded) == ("active", child.shielded)
    assert Child.objects.count() == 1 and not Transfer.objects.exists() and not Closure.objects.exists()
    shown = events(AuditTag.RecordRemovedShown, child)
    assert len(shown) == 2 * len(pages) == AuditEvent.objects.count() - before
    assert {e.additional["page"] for e in shown} == set(pages)
