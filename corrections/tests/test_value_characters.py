"""A corrected value passes the checks a feed's value passes (children.text): no control, format,
private-use or unassigned character and no lone surrogate, and a name is letters. Otherwise what the
LA team reads on the decision page differs from what the record stores, folds and searches."""

import pytest
from django.db import transaction
from django.urls import reverse

from children.search import SearchCriteria, child_search
from children.selectors import child_details
from corrections.fields import field_for
from corrections.models import Correction, CorrectionStatus
from corrections.services import ValueRefused, correction_accept, correction_raise
from corrections.tests.deciding import accept_as_shown
from corrections.tests.support import fresh
from tests.journeys import signed_in, state_purpose
from vault.sealing import Sealer

# U+202E RIGHT-TO-LEFT OVERRIDE: the browser shows "Thornton"; the record would store (and fold) "notnrohT".
LOOKS_LIKE_THORNTON = "\u202enotnrohT"
REASON = "Spelling on the birth certificate"


def _propose(client, child, field: str, data: dict[str, str]) -> str:
    state_purpose(client, child, purpose="checking_details")
    response = client.post(reverse("corrections:propose", args=[child.pk, field]), {**data, "reason": REASON})
    assert response.status_code == 200, f"accepted for decision (HTTP {response.status_code})"
    return response.content.decode()


def test_a_proposed_name_with_a_bidirectional_override_is_refused_as_a_feed_refuses_it(world, child):
    page = _propose(signed_in(world.alice), child, "family_name", {"value": LOOKS_LIKE_THORNTON})
    assert "The correct family name contains control or invisible characters" in page
    assert not Correction.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("given_names", "Am\u200belie", "The correct given names contains control or invisible characters"),
        ("given_names", "Amelie\ue000", "The correct given names contains control or invisible characters"),
        (
            "given_names",
            "Amelie\U000e0001x",
            "The correct given names contains control or invisible characters",
        ),
        ("given_names", "Amelie2", "The correct given names may contain only letters"),
        ("family_name", "<script>", "The correct family name may contain only letters"),
        ("family_name", "-- ''", "The correct family name has no letters"),
        (
            "carer-0-phone",
            "07700\u202e900999",
            "The correct phone number of parent or carer 1 contains control",
        ),
    ],
)
def test_a_proposed_value_a_feed_would_refuse_is_refused_with_a_message(world, child, field, value, message):
    page = _propose(signed_in(world.lena), child, field, {"value": value})
    assert message in page
    assert not Correction.objects.exists()


def test_a_proposed_address_line_with_invisible_characters_is_refused(world, child):
    address = {"line_1": "8 Fernbank\u2066 Way", "town": "Lee\u0007ds", "postcode": "LS2 9JT"}
    page = _propose(signed_in(world.lena), child, "address", address)
    assert "Address line 1 contains control or invisible characters" in page
    assert "Town or city contains control or invisible characters" in page
    assert not Correction.objects.exists()


def test_a_reason_with_a_bidirectional_override_is_refused_but_new_lines_are_kept(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child, purpose="checking_details")
    url = reverse("corrections:propose", args=[child.pk, "family_name"])
    page = client.post(
        url, {"value": "Thorneton", "reason": "Seen \u202eon the certificate"}
    ).content.decode()
    assert "The reason contains control or invisible characters" in page
    assert not Correction.objects.exists()
    assert (
        client.post(url, {"value": "Thorneton", "reason": "Seen at school.\r\nAnd at the GP."}).status_code
        == 302
    )


def test_names_a_feed_accepts_are_accepted_as_corrections(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child, purpose="checking_details")
    for value in ("O\N{RIGHT SINGLE QUOTATION MARK}Brien-Núñez", "Zoë Anne", "Dvořák"):
        url = reverse("corrections:propose", args=[child.pk, "family_name"])
        assert client.post(url, {"value": value, "reason": REASON}).status_code == 302, value
    assert Correction.objects.count() == 3


def test_the_raising_service_refuses_such_a_value_whatever_page_calls_it(world, child):
    with pytest.raises(ValueRefused):
        correction_raise(
            child=child,
            field=field_for("family_name"),
            value=LOOKS_LIKE_THORNTON,
            reason=REASON,
            by=world.alice,
        )
    address = {
        "status": "known",
        "lines": ["8 Fernbank Way\u202e"],
        "postcode": "LS2 9JT",
        "return_intention": None,
    }
    with pytest.raises(ValueRefused):
        correction_raise(
            child=child, field=field_for("address"), value=address, reason=REASON, by=world.alice
        )
    assert not Correction.objects.exists()


def test_a_correction_that_reads_as_the_childs_own_name_cannot_be_accepted_so_the_child_stays_found(
    world, child
):
    """One stored before the rule (or by any other way in): the LA team is told to reject it instead."""
    correction = Correction(child=child, field="family_name", raised_by=world.alice)
    with transaction.atomic():  # a write seals inside its own transaction (vault.keys.data_key_for_write)
        Sealer(child.data_key).seal_all(
            correction,
            {
                "proposed_value": LOOKS_LIKE_THORNTON,
                "reason": REASON,
                "previous_value": None,
                "decision_reason": None,
            },
        )
        correction.save()
    lena = signed_in(world.lena)
    url = reverse("corrections:decide", args=[correction.pk])
    page = lena.post(url, accept_as_shown(correction)).content.decode()
    assert "The proposed value contains characters a record may not hold: reject the correction" in page
    with pytest.raises(ValueRefused):
        correction_accept(correction=correction, by=world.lena)
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING
    details = child_details(fresh(child))
    assert details.family_name == "Thornton"
    outcome = child_search(
        criteria=SearchCriteria("Thornton", date_of_birth=details.date_of_birth), fetched_by=world.bob
    )
    assert [r.child.pk for r in outcome.results] == [child.pk]
    assert lena.post(url, {"decision": "reject", "reason": "Not a name"}).status_code == 302
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED
