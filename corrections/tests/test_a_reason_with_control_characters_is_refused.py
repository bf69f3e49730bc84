"""Why the record is wrong is read by the LA team and sealed as typed: it passes the rule every other free
text passes (`children.forms.readable`), line breaks kept. Python counts some control and separator
characters as whitespace (\\x0b \\x0c \\x1c-\\x1f \\x85 U+2028 U+2029), so a check of the whitespace-collapsed
text let them through and they were stored. Synthetic people only."""

import pytest
from django.urls import reverse

from corrections.models import Correction
from corrections.tests.support import raise_via_page
from tests.journeys import signed_in, state_purpose
from vault.sealing import Sealer

REFUSED = "The reason contains control or invisible characters"


@pytest.mark.parametrize("character", ["\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\u2028", "\u2029"])
def test_a_reason_holding_a_control_or_separator_character_is_refused_in_words(world, child, character):
    client = signed_in(world.alice)
    state_purpose(client, child, purpose="checking_details")
    response = client.post(
        reverse("corrections:propose", args=[child.pk, "family_name"]),
        {"value": "Thorneton", "reason": f"Seen the{character} certificate"},
    )
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not Correction.objects.exists()


def test_a_reason_of_several_lines_is_kept_as_typed(world, child):
    reason = "Seen the birth certificate.\r\nThe school has the same spelling.\tChecked twice."
    correction = raise_via_page(
        signed_in(world.alice), child, "family_name", {"value": "Thorneton", "reason": reason}
    )
    assert Sealer(child.data_key).unseal(correction, "reason") == reason
