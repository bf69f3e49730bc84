"""A correction accepted from a page read before the detail changed (a feed update, a colleague's
correction of the same detail) must not overwrite what the record holds now: the LA team decided on a
value the record no longer holds. Synthetic people only."""

import dataclasses
import re

from django.urls import reverse

from audit.tags import AuditTag
from children.selectors import child_details
from children.services import child_details_update
from corrections.fields import field_for
from corrections.models import CorrectionStatus
from corrections.services import correction_accept, correction_raise
from corrections.tests.support import events, fresh
from tests.journeys import signed_in


def _raise(child, by, value):
    return correction_raise(
        child=child, field=field_for("family_name"), value=value, reason="Seen the certificate", by=by
    )


def _hidden_inputs(page: str) -> dict[str, str]:
    """The hidden inputs the decision form sends back (the page's own, as a browser would)."""
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))


def _feed_sets_family_name(child, value: str) -> None:
    details = dataclasses.replace(child_details(fresh(child)), family_name=value)
    child_details_update(child=fresh(child), details=details, columns=["family_name"], by=None)


def test_a_correction_accepted_after_a_feed_changed_the_detail_does_not_overwrite_it(world, child):
    correction = _raise(child, world.alice, "Thorneton")
    lena = signed_in(world.lena)
    url = reverse("corrections:decide", args=[correction.pk])
    page = lena.get(url).content.decode()
    assert "Thornton" in page  # what the LA team decides against
    _feed_sets_family_name(child, "Thornbury")  # the source corrects the record meanwhile
    data = {**_hidden_inputs(page), "decision": "accept"}
    data.pop("csrfmiddlewaretoken", None)
    response = lena.post(url, data)
    assert child_details(fresh(child)).family_name == "Thornbury"  # the newer value stands
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING
    assert not events(AuditTag.CorrectionAccepted, correction_id=str(correction.pk))
    assert response.status_code == 200
    shown = response.content.decode()
    assert "has changed since you opened this correction" in shown
    assert "Thornbury" in shown  # the page now shows what the record says, to decide again


def test_the_second_of_two_corrections_of_one_detail_decided_from_pages_read_together_is_not_applied(
    world, child
):
    first = _raise(child, world.alice, "Thorneton")
    second = _raise(child, world.alice, "Thorntan")
    lena = signed_in(world.lena)
    url = reverse("corrections:decide", args=[second.pk])
    page = lena.get(url).content.decode()
    correction_accept(
        correction=first, by=world.dara
    )  # a colleague (the data manager) decides the other one first
    data = {**_hidden_inputs(page), "decision": "accept"}
    data.pop("csrfmiddlewaretoken", None)
    lena.post(url, data)
    assert child_details(fresh(child)).family_name == "Thorneton"
    second.refresh_from_db()
    assert second.status == CorrectionStatus.PENDING


def test_a_correction_accepted_from_a_page_showing_the_value_held_corrects_the_record(world, child):
    correction = _raise(child, world.alice, "Thorneton")
    lena = signed_in(world.lena)
    url = reverse("corrections:decide", args=[correction.pk])
    page = lena.get(url).content.decode()
    data = {**_hidden_inputs(page), "decision": "accept"}
    data.pop("csrfmiddlewaretoken", None)
    response = lena.post(url, data)
    assert response.status_code == 302
    assert child_details(fresh(child)).family_name == "Thorneton"
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.ACCEPTED
