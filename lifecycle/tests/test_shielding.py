"""The owning LA team applies and lifts shielding (domain: the LA management team's job), audited with
its reason sealed; a shielded record is no longer found by its postcode nor shows its location to others."""

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.moves import RecordChangedSince
from lifecycle.shielding import SHIELD_REASON_CONTEXT, shield_set
from tests.journeys import signed_in, state_purpose
from tests.personas import make_child, make_user
from vault.sealing import note_unseal

REASON = "Risk from a former partner (MARAC referral)"


def _found_by(client, **criteria) -> str:
    response = client.post(reverse("children:search"), criteria, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _record_page(client, child) -> str:
    state_purpose(client, child)
    return client.get(reverse("children:record", args=[child.pk])).content.decode()


def test_the_la_team_shields_a_record_and_others_no_longer_find_it_by_postcode_nor_see_where_it_lives(world):
    child = make_child(world)
    alice = signed_in(world.alice)
    assert "Amelia Thornton" in _found_by(alice, family_name="Thornton", postcode="LS1 4AB")

    page = (
        signed_in(world.lena)
        .post(
            reverse("moves:shielding", args=[child.pk]),
            {"reason": REASON, "confirm": "on", "change": "apply"},
            follow=True,
        )
        .content.decode()
    )

    assert "The record is now shielded" in page
    assert Child.objects.get(pk=child.pk).shielded
    assert "Amelia Thornton" not in _found_by(alice, family_name="Thornton", postcode="LS1 4AB")
    record = _record_page(alice, child)
    assert "Quarry Lane" not in record and "LS1 4AB" not in record
    [event] = AuditEvent.objects.filter(tag=AuditTag.ShieldApplied, child_id=child.pk)
    assert event.actor_id == world.lena.pk and REASON not in str(event.additional)
    stored = Child.objects.select_related("data_key").get(pk=child.pk)
    sealed = event.additional["reason_sealed"]
    assert note_unseal(stored.data_key, context=SHIELD_REASON_CONTEXT, sealed=sealed) == REASON


def test_lifting_the_shield_lets_others_find_it_by_postcode_again_and_is_audited(world):
    child = make_child(world, shielded=True)
    alice = signed_in(world.alice)
    assert "Amelia Thornton" not in _found_by(alice, family_name="Thornton", postcode="LS1 4AB")

    page = (
        signed_in(world.lena)
        .post(
            reverse("moves:shielding", args=[child.pk]),
            {"reason": "Risk assessed as ended", "confirm": "on", "change": "lift"},
            follow=True,
        )
        .content.decode()
    )

    assert "The shielding has been lifted" in page
    assert not Child.objects.get(pk=child.pk).shielded
    assert "Amelia Thornton" in _found_by(alice, family_name="Thornton", postcode="LS1 4AB")
    assert (
        AuditEvent.objects.filter(tag=AuditTag.ShieldLifted, child_id=child.pk, actor=world.lena).count() == 1
    )


def test_the_page_asks_for_a_reason_and_a_confirmation_and_changes_nothing_without_them(world):
    child = make_child(world)
    lena = signed_in(world.lena)
    url = reverse("moves:shielding", args=[child.pk])
    assert "Shield this record" in lena.get(url).content.decode()
    page = lena.post(url, {"reason": "", "confirm": "", "change": "apply"}).content.decode()
    assert "Enter why" in page and "Confirm" in page
    hidden = lena.post(
        url, {"reason": "Risk \u202enoitcetorp", "confirm": "on", "change": "apply"}
    ).content.decode()
    assert "contains control or invisible characters" in hidden
    assert not Child.objects.get(pk=child.pk).shielded
    assert not AuditEvent.objects.filter(tag__in=[AuditTag.ShieldApplied, AuditTag.ShieldLifted]).exists()


def test_only_the_owning_la_team_may_change_shielding(world):
    child = make_child(world)
    url = reverse("moves:shielding", args=[child.pk])
    other_team = make_user("sian", world.south, Role.LA_TEAM)
    for user in (world.alice, other_team, world.olivia):
        response = signed_in(user).post(url, {"reason": REASON, "confirm": "on", "change": "apply"})
        assert response.status_code == 403, user.username
    assert not Child.objects.get(pk=child.pk).shielded


def test_shielding_a_record_already_shielded_writes_nothing_and_a_moved_record_is_refused(world):
    child = make_child(world, shielded=True)
    assert shield_set(child=child, by=world.lena, shielded=True, reason=REASON) is False
    assert not AuditEvent.objects.filter(tag=AuditTag.ShieldApplied).exists()
    Child.objects.filter(pk=child.pk).update(local_authority=world.south)
    try:
        shield_set(child=child, by=world.lena, shielded=False, reason=REASON)
    except RecordChangedSince as refused:
        assert "moved to another local authority" in str(refused)
    else:
        raise AssertionError("a record moved since was changed")
    assert Child.objects.get(pk=child.pk).shielded


@pytest.mark.parametrize("hidden", ["\u202e", "\x1c", "\x85"])
def test_a_shielding_reason_with_control_or_invisible_characters_is_refused_and_nothing_changes(
    world, hidden
):
    """The reason is read back by whoever reviews the shield: it must read as it is stored (\\x1c and \\x85
    are control characters that a whitespace split would have let through)."""
    child = make_child(world)
    page = (
        signed_in(world.lena)
        .post(
            reverse("moves:shielding", args=[child.pk]),
            {"reason": f"Risk from a {hidden}former partner", "confirm": "on", "change": "apply"},
        )
        .content.decode()
    )
    assert "The reason contains control or invisible characters" in page
    assert not Child.objects.get(pk=child.pk).shielded
    assert not AuditEvent.objects.filter(tag=AuditTag.ShieldApplied).exists()
