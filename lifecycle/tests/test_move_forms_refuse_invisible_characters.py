"""The LA team's move pages write names, addresses and reasons that others read and search on. A
right-to-left override, a zero-width or a control character makes a value read differently from what
is stored, folded and searched ("\u202eknabhcraM" shows as "Marchbank", yet a search for Marchbank never
finds it), so these pages refuse what feeds and corrections refuse (`children.text.text_problem`; names
must be letters), and nothing is closed, created, moved or recorded.
"""

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from children.selectors import child_details
from lifecycle.models import Transfer, TransferStatus
from lifecycle.moves import transfer_request
from tests.journeys import signed_in
from tests.pages import headings, rendered
from tests.personas import make_child, make_user

NEW_IDENTITY = {
    "category": "protection",
    "given_names": "Poppy",
    "family_name": "Marchbank",
    "gender": "female",
    "dob_day": "4",
    "dob_month": "3",
    "dob_year": "2015",
    "line_1": "8 Elmhurst Gardens",
    "town": "York",
    "postcode": "YO1 7HH",
    "shielded": "",
    "confirm": "on",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("family_name", "\u202eknabhcraM"),
        ("family_name", "March\u200bbank"),
        ("family_name", "Marchb4nk"),
        ("given_names", "Pop\u2066py"),
        ("line_1", "8 Elmhurst\u202e Gardens"),
        ("town", "Yo\x07rk"),
    ],
)
def test_a_new_identity_that_would_read_differently_from_what_is_stored_is_refused_and_the_record_stays_open(
    world, field, value
):
    old = make_child(world)
    response = signed_in(world.lena).post(
        reverse("moves:new_identity", args=[old.pk]), {**NEW_IDENTITY, field: value}
    )
    page = rendered(response, heading="Create a new identity for this child")
    assert "may contain only letters" in page or "control or invisible characters" in page
    assert Child.objects.get(pk=old.pk).status == RecordStatus.ACTIVE
    assert list(Child.objects.values_list("pk", flat=True)) == [old.pk]
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildClosed).exists()


@pytest.mark.parametrize(("field", "value"), [("line_1", "3 New\u200b Row"), ("town", "Harro\u202egate")])
def test_an_address_statement_with_invisible_characters_is_refused_and_the_address_kept(world, field, value):
    child = make_child(world)
    statement = {"status": "known", "line_1": "3 New Row", "town": "Harrogate", "postcode": "HG1 2AB"}
    response = signed_in(world.lena).post(
        reverse("moves:address", args=[child.pk]), {**statement, field: value}
    )
    page = rendered(response, heading="Where does the child live?")
    assert "control or invisible characters" in page
    assert child_details(Child.objects.get(pk=child.pk)).address.lines == ["12 Quarry Lane", "Leeds"]
    assert not AuditEvent.objects.filter(tag=AuditTag.AddressStatusRecorded).exists()


def test_a_transfer_reason_with_a_right_to_left_override_is_refused_and_nothing_is_requested(world):
    child = make_child(world)
    response = signed_in(world.lena).post(
        reverse("moves:transfer_new", args=[child.pk]),
        {"to_la": str(world.south.pk), "reason": "Family moved to \u202ehguorobhtuoS"},
    )
    page = rendered(response, heading="Transfer this record to another local authority")
    assert "control or invisible characters" in page
    assert not Transfer.objects.exists()


def test_a_transfer_reason_over_several_lines_is_kept_as_written(world):
    child = make_child(world)
    reason = "Family moved to Southborough in May.\r\nSchool place confirmed."
    response = signed_in(world.lena).post(
        reverse("moves:transfer_new", args=[child.pk]), {"to_la": str(world.south.pk), "reason": reason}
    )
    assert response.status_code == 302
    page = signed_in(world.lena).get(response["Location"]).content.decode()
    assert "Family moved to Southborough in May." in page and "School place confirmed." in page


def test_a_decline_reason_with_invisible_characters_is_refused_and_the_transfer_stays_pending(world):
    child = make_child(world)
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="Family moved")
    stella = signed_in(make_user("stella", world.south, Role.LA_TEAM))
    response = stella.post(
        reverse("moves:transfer", args=[transfer.pk]),
        {"decision": "decline", "decline_reason": "Not \u200bours"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and headings(page) == ["Transfer of a record"]  # shown again, an error
    assert "control or invisible characters" in page
    assert Transfer.objects.get().status == TransferStatus.PENDING
    assert not AuditEvent.objects.filter(tag=AuditTag.TransferDeclined).exists()
