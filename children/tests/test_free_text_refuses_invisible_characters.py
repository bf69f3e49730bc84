"""What a practitioner types on the record's pages is read by others: the LA team investigating a
break-glass, the team and the child's own access report reading why a record was opened, every
practitioner reading who works with the child. A right-to-left override, a zero-width or a control
character makes that text read differently from what is stored ("\u202e.nosaer on" reads as "no
reason."), so these pages refuse it as feeds and corrections do (`children.text.text_problem`), and
nothing is opened, granted or recorded. Line breaks in a reason box are kept as written.
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Involvement
from children.selectors import involvement_details
from children.viewing import purpose_grant_for
from oversight.models import Alert
from oversight.services import alert_reason
from tests.journeys import signed_in, state_purpose
from tests.pages import rendered

INVISIBLE = ["\u202e", "\u200b", "\u2066", "\x07", "\x1e", "\ue000"]
INVOLVEMENT = {
    "role": "Social worker",
    "phone": "0113 496 0000",
    "email": "alice@example.org",  # the override goes in the domain, which Django's own check lets through
    "start_day": "1",
    "start_month": "1",
    "start_year": "2024",
}


@pytest.mark.parametrize("character", INVISIBLE)
def test_a_break_glass_reason_with_invisible_characters_is_refused_and_nothing_is_opened(
    world, shielded_child, character
):
    client = signed_in(world.olivia)
    response = client.post(
        reverse("children:override", args=[shielded_child.pk]),
        {"reason": f"Child reported missing {character}tonight", "understood": "on"},
    )
    page = rendered(response, heading="Emergency access to a shielded record")
    assert "control or invisible characters" in page
    assert "LS6 2QT" not in page and "Grace Thornton" not in page
    assert not AuditEvent.objects.filter(tag=AuditTag.ShieldOverridden).exists()
    assert not Alert.objects.exists()


def test_a_break_glass_reason_over_several_lines_is_kept_as_written(world, shielded_child):
    client = signed_in(world.olivia)
    reason = "Child reported missing tonight.\r\nPolice attending the last known address."
    response = client.post(
        reverse("children:override", args=[shielded_child.pk]), {"reason": reason, "understood": "on"}
    )
    assert "LS6 2QT" in rendered(response, heading="Jasmine Okafor")
    assert alert_reason(Alert.objects.get()) == reason


@pytest.mark.parametrize("character", INVISIBLE)
def test_a_purpose_detail_with_invisible_characters_is_refused_and_no_view_is_granted(
    world, child, character
):
    client = signed_in(world.alice)
    response = client.post(
        reverse("children:purpose", args=[child.pk]),
        {"purpose": "other", "detail": f"Referral from the {character}nursery"},
    )
    page = rendered(response, heading="Why are you looking at this record?")
    assert "control or invisible characters" in page
    assert purpose_grant_for(client.session, child=child) is None
    assert client.get(reverse("children:record", args=[child.pk]))["Location"] == reverse(
        "children:purpose", args=[child.pk]
    )


@pytest.mark.parametrize("field", ["role", "phone", "email"])
def test_an_involvement_whose_role_or_contact_holds_invisible_characters_is_refused_and_not_recorded(
    world, child, field
):
    client = signed_in(world.alice)
    state_purpose(client, child)
    response = client.post(
        reverse("children:involvement_new", args=[child.pk]),
        {**INVOLVEMENT, field: f"{INVOLVEMENT[field][:6]}\u202e{INVOLVEMENT[field][6:]}"},
    )
    page = rendered(response, heading="Record your involvement")
    assert "control or invisible characters" in page
    assert not Involvement.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded).exists()


def test_an_ordinary_involvement_is_still_recorded_as_typed(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    response = client.post(reverse("children:involvement_new", args=[child.pk]), INVOLVEMENT)
    assert response.status_code == 302
    details = involvement_details(Involvement.objects.get())
    assert (details.role, details.phone) == ("Social worker", "0113 496 0000")
