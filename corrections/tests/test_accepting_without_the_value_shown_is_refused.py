"""An accept must say which value of the record its page showed (the hidden `shown`): sent without it (a
hand-made or cut-off request), the "changed since" check had nothing to compare and the correction was
applied over a value the decider never saw. Refused in words now, nothing written. A reject writes nothing
to the record, so it needs only its reason. Synthetic people only."""

from django.urls import reverse

from audit.tags import AuditTag
from children.selectors import child_details
from corrections.fields import field_for
from corrections.models import CorrectionStatus
from corrections.services import correction_accept, correction_raise
from corrections.tests.support import events, fresh
from tests.journeys import signed_in

NO_VALUE_SHOWN = "Nothing was changed: check what the record says now and decide again"


def _raise(world, child, value):
    return correction_raise(
        child=child,
        field=field_for("family_name"),
        value=value,
        reason="Seen the certificate",
        by=world.alice,
    )


def test_an_accept_sent_without_the_value_shown_is_refused_and_changes_nothing(world, child):
    first = _raise(world, child, "Thorneton")
    second = _raise(world, child, "Thorn")
    lena = signed_in(world.lena)
    url = reverse("corrections:decide", args=[second.pk])
    assert "Thornton" in lena.get(url).content.decode()  # the value the LA team decides against
    correction_accept(correction=first, by=world.dara)  # a colleague accepts the other one meanwhile
    response = lena.post(url, {"decision": "accept"})  # no `shown`: hand-made or cut off
    assert response.status_code == 200
    page = response.content.decode()
    assert NO_VALUE_SHOWN in page
    assert "Thorneton" in page  # shown again with what the record says now, to decide on
    assert child_details(fresh(child)).family_name == "Thorneton"
    second.refresh_from_db()
    assert second.status == CorrectionStatus.PENDING
    assert not events(AuditTag.CorrectionAccepted, correction_id=str(second.pk))


def test_an_accept_sent_with_an_empty_value_shown_is_refused(world, child):
    correction = _raise(world, child, "Thorneton")
    lena = signed_in(world.lena)
    url = reverse("corrections:decide", args=[correction.pk])
    response = lena.post(url, {"decision": "accept", "shown": ""})
    assert NO_VALUE_SHOWN in response.content.decode()
    assert child_details(fresh(child)).family_name == "Thornton"
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING


def test_a_reject_needs_no_value_shown(world, child):
    correction = _raise(world, child, "Thorneton")
    response = signed_in(world.lena).post(
        reverse("corrections:decide", args=[correction.pk]),
        {"decision": "reject", "reason": "The birth register says Thornton"},
    )
    assert response.status_code == 302
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED
    assert child_details(fresh(child)).family_name == "Thornton"
