"""A corrected name has at most as many parts as a feed's name (`children.text.NAME_PARTS_MOST`).

Every key a record is filed under is an advisory lock its shield, transfer or merge takes
(`children.key_locks`), and keys pair the parts of the given and family names: a name of very many parts
took more locks than PostgreSQL's lock table holds, a server error at every later write to that child. A
feed row with such a name is refused by number (feeds.validation); a name typed into a correction was
not, so one accepted correction could make a record unwritable. Refused in words, nothing written.
"""

import pytest
from django.db import transaction
from django.urls import reverse

from children.selectors import child_details
from children.text import NAME_PARTS_MOST, name_parts
from corrections.models import Correction, CorrectionStatus
from corrections.services import ValueRefused, correction_accept
from corrections.tests.deciding import accept_as_shown
from corrections.tests.support import fresh, raise_via_page
from tests.journeys import signed_in, state_purpose
from tests.pages import without_tokens
from vault.sealing import Sealer

REASON = "Spelling on the birth certificate"
SEVEN_PARTS = "Maria del Carmen Rosa Ana Luz Sol"
SIX_PARTS = "Maria del Carmen Rosa Ana Luz"
SEVEN_FAMILY = "Garcia de la Cruz y de Santos"  # seven parts, as a feed would count them
SIX_FAMILY = "Garcia de la Fuente-Lopez Ortiz"  # a hyphen parts a name too: six


def test_the_test_names_have_the_parts_they_say():
    assert NAME_PARTS_MOST == 6
    assert [name_parts(n) for n in (SEVEN_PARTS, SIX_PARTS, SEVEN_FAMILY, SIX_FAMILY)] == [7, 6, 7, 6]


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("given_names", SEVEN_PARTS, "The correct given names"),
        ("family_name", SEVEN_FAMILY, "The correct family name"),
    ],
)
def test_a_corrected_name_of_more_parts_than_a_feed_may_send_is_refused_in_words(
    world, child, field, value, label
):
    client = signed_in(world.alice)
    state_purpose(client, child, purpose="checking_details")
    response = client.post(
        reverse("corrections:propose", args=[child.pk, field]), {"value": value, "reason": REASON}
    )
    assert response.status_code == 200, "shown again with the error"
    page = without_tokens(response.content.decode())
    assert f"{label} must be {NAME_PARTS_MOST} parts or fewer" in page
    assert not Correction.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("given_names", SIX_PARTS), ("family_name", SIX_FAMILY)])
def test_a_corrected_name_of_as_many_parts_as_allowed_is_raised_and_applied(world, child, field, value):
    correction = raise_via_page(signed_in(world.alice), child, field, {"value": value, "reason": REASON})
    correction_accept(correction=correction, by=world.lena)
    stored = fresh(child)
    assert getattr(child_details(stored, Sealer(stored.data_key)), field) == value
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.ACCEPTED


def test_a_pending_name_of_too_many_parts_stored_before_the_rule_is_never_applied(world, child):
    given_before = child_details(fresh(child), Sealer(fresh(child).data_key)).given_names
    correction = raise_via_page(
        signed_in(world.alice), child, "given_names", {"value": SIX_PARTS, "reason": REASON}
    )
    with transaction.atomic():  # as if raised before the rule
        Sealer(fresh(child).data_key).seal(correction, "proposed_value", SEVEN_PARTS)
        correction.save(update_fields=["proposed_value"])
    with pytest.raises(ValueRefused):
        correction_accept(correction=Correction.objects.get(pk=correction.pk), by=world.lena)
    stored = fresh(child)
    assert child_details(stored, Sealer(stored.data_key)).given_names == given_before
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.PENDING


def test_the_decision_page_says_why_a_pending_name_of_too_many_parts_cannot_be_accepted(world, child):
    correction = raise_via_page(
        signed_in(world.alice), child, "given_names", {"value": SIX_PARTS, "reason": REASON}
    )
    with transaction.atomic():  # as if raised before the rule
        Sealer(fresh(child).data_key).seal(correction, "proposed_value", SEVEN_PARTS)
        correction.save(update_fields=["proposed_value"])
    response = signed_in(world.lena).post(
        reverse("corrections:decide", args=[correction.pk]), accept_as_shown(correction)
    )
    assert response.status_code == 200
    page = without_tokens(response.content.decode())
    assert f"The proposed given names must be {NAME_PARTS_MOST} parts or fewer" in page
    assert "contains characters" not in page
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.PENDING
