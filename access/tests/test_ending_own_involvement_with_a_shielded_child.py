"""A practitioner marks their own involvement as ended, the child shielded since or not.

Review, session 32: the shield was checked before the own-involvement rule, so once the child was shielded
a practitioner could not end an involvement they had recorded themselves (403): they stayed shown as
working with the child, and kept being treated as a current service (coordination, lead professional).
Ending it reveals nothing they did not write: their own name, role and start date. The page shows
nothing of where the child is, and nobody else's involvement of a shielded record is opened this way.
"""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from access.permissions import Permission
from access.policy import decide
from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Involvement
from children.records import InvolvementDetails
from children.services import involvement_record
from lifecycle.shielding import shield_set
from tests.journeys import signed_in, state_purpose
from tests.personas import make_child, make_user

# What the shielded record holds of where the child is (tests.personas.make_child): none may be shown.
LOCATION = ["12 Quarry Lane", "LS1 4AB", "Northshire Primary School", "North Road Surgery", "Grace Thornton"]
END_FORM = {"end_day": "1", "end_month": "3", "end_year": "2025"}


def _recorded(child, by) -> Involvement:
    return involvement_record(
        child=child,
        by=by,
        details=InvolvementDetails(
            "Synthetic Practitioner", "Family support worker", by.organisation_id, started_on=date(2024, 1, 1)
        ),
    )


@pytest.fixture
def shielded_since(world):
    """A North child Alice works with, shielded by North's team after she recorded her involvement."""
    child = make_child(world)
    involvement = _recorded(child, world.alice)
    shield_set(child=child, by=world.lena, shielded=True, reason="Synthetic: risk assessed")
    child.refresh_from_db()
    assert child.shielded
    return child, involvement


def _cease(actor, child, involvement):
    return decide(actor=actor, action=Permission.InvolvementCease, child=child, involvement=involvement)


def test_a_practitioner_may_end_their_own_involvement_with_a_shielded_child(world, shielded_since):
    child, involvement = shielded_since
    assert _cease(world.alice, child, involvement)


def test_nobody_else_but_the_childs_la_team_may_end_it(world, shielded_since):
    child, involvement = shielded_since
    stella = make_user("stella", world.south, Role.LA_TEAM)
    assert _cease(world.bob, child, involvement).reason == "shielded"  # another practitioner
    assert _cease(world.olivia, child, involvement).reason == "shielded"  # an override holder
    assert _cease(stella, child, involvement).reason == "shielded"  # another LA's team
    assert _cease(world.lena, child, involvement)  # the child's own LA team, as before


@pytest.mark.parametrize("persona", ["dara", "nadia"])
def test_roles_that_end_no_involvement_are_refused_their_own_too(world, shielded_since, persona):
    child, _ = shielded_since
    actor = getattr(world, persona)
    own = Involvement(child=child, recorded_by=actor)  # never recordable by them: the role decides first
    assert _cease(actor, child, own).reason == "role_not_permitted"


def test_a_suspended_practitioner_may_not_end_their_own(world, shielded_since):
    child, _ = shielded_since
    carl = make_user("carl", world.north_social_care)
    involvement = _recorded(child, carl)  # recorded as the LA team would hold it (the service, no page)
    carl.suspended_at = timezone.now()
    carl.save(update_fields=["suspended_at"])
    assert _cease(carl, child, involvement).reason == "suspended"


def test_their_own_involvement_with_another_child_opens_no_shielded_record(world, shielded_since):
    child, _ = shielded_since
    elsewhere = _recorded(make_child(world, given_names="Noah", family_name="Begum"), world.alice)
    assert _cease(world.alice, child, elsewhere).reason == "shielded"


def test_the_end_page_shows_nothing_of_where_the_child_is_and_ends_the_involvement(world, shielded_since):
    child, involvement = shielded_since
    client = signed_in(world.alice)
    state_purpose(client, child)
    url = reverse("children:involvement_end", args=[child.pk, involvement.pk])

    page = client.get(url)
    assert page.status_code == 200
    shown = page.content.decode()
    assert "Mark involvement as ended</h1>" in shown
    assert "Synthetic Practitioner, Family support worker" in shown  # her own, as she recorded it
    assert not [text for text in LOCATION if text in shown]
    look = AuditEvent.objects.get(tag=AuditTag.RecordViewed, actor=world.alice, child_id=child.pk)
    assert look.additional["restricted_view"] is True

    ended = client.post(url, END_FORM, follow=True)
    assert ended.redirect_chain[-1][0] == reverse("children:record", args=[child.pk])
    record = ended.content.decode()
    assert "The involvement has been marked as ended" in record
    assert not [text for text in LOCATION if text in record]
    involvement.refresh_from_db()
    assert involvement.ceased
    assert AuditEvent.objects.filter(tag=AuditTag.InvolvementCeased, actor=world.alice).count() == 1


def test_another_practitioner_is_refused_the_end_page_and_nothing_changes(world, shielded_since):
    child, involvement = shielded_since
    carl = make_user("carl", world.north_social_care)
    client = signed_in(carl)
    state_purpose(client, child)
    url = reverse("children:involvement_end", args=[child.pk, involvement.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, END_FORM).status_code == 403
    involvement.refresh_from_db()
    assert not involvement.ceased
    assert not AuditEvent.objects.filter(tag=AuditTag.InvolvementCeased).exists()
