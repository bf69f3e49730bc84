"""The shielding page does what it said when it was read: "Shield this record" never lifts a shield.

The page asks for one change, applying or lifting, with a reason and a confirmation written for that
change. Sent twice (a double click, a form sent again from the browser's history), or after a colleague
made the same change, it must leave the record as the page promised, never turn it the other way: a
team member protecting a child must not end up showing the child's address to every practitioner (and
telling the matches withheld while it was shielded).
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.shielding import shield_set
from tests.journeys import signed_in
from tests.personas import make_child, make_user

pytestmark = pytest.mark.django_db

REASON = "Risk from a former partner (MARAC referral)"
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)"')


def _form_as_the_page_sends_it(client: Client, child: Child, reason: str) -> dict[str, str]:
    """What the page read now would send: its hidden fields (the csrf token aside), a reason, the box."""
    page = client.get(reverse("moves:shielding", args=[child.pk])).content.decode()
    hidden = {
        m["name"]: m["value"] for m in HIDDEN_INPUT.finditer(page) if m["name"] != "csrfmiddlewaretoken"
    }
    return {**hidden, "reason": reason, "confirm": "on"}


def _shielded(child: Child) -> bool:
    return Child.objects.values_list("shielded", flat=True).get(pk=child.pk)


def _tags(child: Child) -> list[str]:
    return list(
        AuditEvent.objects.filter(child_id=child.pk, tag__in=[AuditTag.ShieldApplied, AuditTag.ShieldLifted])
        .order_by("pk")
        .values_list("tag", flat=True)
    )


def test_a_shield_form_sent_twice_shields_the_record_and_never_lifts_it(world):
    child = make_child(world)
    lena = signed_in(world.lena)
    form = _form_as_the_page_sends_it(lena, child, REASON)
    url = reverse("moves:shielding", args=[child.pk])

    lena.post(url, form)
    again = lena.post(url, form, follow=True).content.decode()

    assert _shielded(child)
    assert _tags(child) == [AuditTag.ShieldApplied]
    assert "The shielding has been lifted" not in again
    assert "nothing was changed" in again


def test_a_shield_page_read_before_a_colleague_shielded_the_record_leaves_it_shielded(world):
    child = make_child(world)
    lena = signed_in(world.lena)
    form = _form_as_the_page_sends_it(lena, child, REASON)
    colleague = make_user("lionel", world.north, role=world.lena.role)
    shield_set(child=child, by=colleague, shielded=True, reason="Police request")

    answer = lena.post(reverse("moves:shielding", args=[child.pk]), form, follow=True).content.decode()

    assert _shielded(child)
    assert _tags(child) == [AuditTag.ShieldApplied]
    assert "A colleague changed the shielding first: nothing was changed" in answer


def test_a_lift_page_read_before_a_colleague_lifted_the_shield_does_not_shield_it_again(world):
    child = make_child(world, shielded=True)
    lena = signed_in(world.lena)
    form = _form_as_the_page_sends_it(lena, child, "The risk has passed (case closed)")
    colleague = make_user("lionel", world.north, role=world.lena.role)
    shield_set(child=child, by=colleague, shielded=False, reason="Court order ended")

    answer = lena.post(reverse("moves:shielding", args=[child.pk]), form, follow=True).content.decode()

    assert not _shielded(child)
    assert _tags(child) == [AuditTag.ShieldLifted]
    assert "A colleague changed the shielding first: nothing was changed" in answer


def test_a_shield_form_without_the_change_the_page_asked_for_changes_nothing_and_says_why(world):
    child = make_child(world)
    lena = signed_in(world.lena)
    url = reverse("moves:shielding", args=[child.pk])

    page = lena.post(url, {"reason": "Risk assessed by the team", "confirm": "on"}).content.decode()

    assert "Open the shielding page again and make the change from there" in page
    assert not _shielded(child) and not _tags(child)
