"""The correction page of one detail, opened by id alone by someone who may not identify the child (never
found by search, never involved, not its LA team), asks why first (`access.policy.asked_why_first`), as the
children pages do: before the record's own rules (a shielded record's location details are its LA team's
alone) and before reading which details the record has (how many carers), so the answer is the same for
every active record's id."""

import pytest
from django.urls import reverse

from children.records import InvolvementDetails
from children.services import involvement_record
from tests.journeys import signed_in


@pytest.mark.parametrize("field", ["address", "school", "gp", "carer-0-phone"])
def test_a_location_detail_of_a_shielded_child_asks_why_first_as_an_unshielded_ones_does(
    world, child, shielded_child, field
):
    client = signed_in(world.bob)
    plain = client.get(reverse("corrections:propose", args=[child.pk, field]))
    shielded = client.get(reverse("corrections:propose", args=[shielded_child.pk, field]))
    assert plain.status_code == shielded.status_code == 302
    assert plain["Location"] == reverse("children:purpose", args=[child.pk])
    assert shielded["Location"] == reverse("children:purpose", args=[shielded_child.pk])


def test_a_carer_detail_asks_why_first_whether_or_not_the_child_has_that_carer(world, child):
    """`child` has one carer: the second one's detail is asked why first too (how many is not told)."""
    client = signed_in(world.bob)
    first = client.get(reverse("corrections:propose", args=[child.pk, "carer-0-phone"]))
    second = client.get(reverse("corrections:propose", args=[child.pk, "carer-1-phone"]))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("children:purpose", args=[child.pk])


def test_whoever_may_identify_the_child_is_still_told_at_once_that_a_shielded_location_is_not_theirs(
    world, shielded_child
):
    """A practitioner involved with the child knows it: told at once why not (no purpose asked first)."""
    involvement_record(
        child=shielded_child,
        by=world.alice,
        details=InvolvementDetails(
            practitioner_name="Alice Example",
            role="Social worker",
            organisation_id=world.alice.organisation_id,
        ),
    )
    response = signed_in(world.alice).get(reverse("corrections:propose", args=[shielded_child.pk, "address"]))
    assert response.status_code == 403
    assert "Find this child with a search first." not in response.content.decode()
