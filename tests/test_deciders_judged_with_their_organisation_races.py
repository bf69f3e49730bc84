"""Deciders judged with their organisation, raced on two real PostgreSQL sessions.

The administrator's directory writes (`administration.organisations`) lock the organisation they change
FOR UPDATE after their own account; a decider locks their account (and, for an account change, the
account changed, in id order), then holds the organisations FOR KEY SHARE (`accounts.services`). So a
de-accreditation, a close or a move to another LA committed before the decider's locks is seen and stops
the write; one arriving after waits for it; and two administrators each cutting the other off are served
one after the other, never deadlocked.
"""

from typing import Any

from django.db import transaction
from django.urls import reverse

import accounts.services
import administration.organisations
import lifecycle.moves_views
import lifecycle.shielding
import team.account_pages
from access.permissions import Permission
from accounts.directory import DIRECTORY_FIELDS, OrganisationDetails, organisation_update
from accounts.models import Organisation, OrganisationKind, Role, User
from accounts.services import ActorCannotAct, account_close, account_suspend, actor_able_locked
from administration.organisations import _changing_held, _organisation_close_locked
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.shielding import shield_set
from tests.concurrency import (
    WAITED,
    meeting_after,
    paused_for,
    postgresql_race,
    run_together,
    waiting_at_most,
)
from tests.journeys import signed_in
from tests.personas import World, build_world, make_child, make_user

pytestmark = postgresql_race()

REASON = "Synthetic reason"


def _administrator(world: World, username: str = "ada") -> User:
    national = world.nadia.organisation
    assert national is not None
    return make_user(username, national, Role.SYSTEM_ADMIN)


def _directory_change(admin: User, organisation: Organisation, **changes: Any) -> Any:
    """The administrator's edit of `organisation` as the directory page writes it (its locks included)."""

    def change() -> Any:
        with transaction.atomic():
            current = Organisation.objects.get(pk=organisation.pk)
            fields = {name: getattr(current, name) for name in DIRECTORY_FIELDS} | changes
            details = OrganisationDetails(**fields)
            la = details.as_fields()["local_authority"]
            locked = _changing_held(
                User.objects.get(pk=admin.pk), current, into=la.pk if la is not None else None
            )
            return organisation_update(organisation=locked, by=admin, details=details)

    return change


def test_a_shield_whose_decider_was_de_accredited_on_the_way_is_refused_and_says_why(monkeypatch):
    world = build_world()
    child = make_child(world)
    admin = _administrator(world)
    client = signed_in(world.lena)
    url = reverse("moves:shielding", args=[child.pk])
    data = {"reason": REASON, "confirm": "on", "change": "apply"}

    response, changed = paused_for(
        monkeypatch,
        lifecycle.moves_views,
        "shield_set",
        before=True,
        read=lambda: client.post(url, data),
        write=_directory_change(admin, world.north, accredited_on=None),
    )

    assert changed == ["accredited_on"]
    assert response.status_code == 403
    assert "Your organisation is not accredited to use ContactPoint." in response.content.decode()
    assert not Child.objects.get(pk=child.pk).shielded
    assert not AuditEvent.objects.filter(tag=AuditTag.ShieldApplied).exists()
    refusal = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.lena).get()
    assert refusal.additional["reason"] == "organisation_not_accredited"


def test_a_de_accreditation_waits_for_a_decision_already_judged_with_its_organisation(monkeypatch):
    """Lena's shield has judged her and holds North; the administrator's de-accreditation of North waits
    (here, gives up after its lock timeout) rather than committing under a decision judged before it."""
    world = build_world()
    child = Child.objects.select_related("data_key").get(pk=make_child(world).pk)
    admin = _administrator(world)

    shielded, change = paused_for(
        monkeypatch,
        lifecycle.shielding,
        "children_keys_lock",
        before=True,
        read=lambda: shield_set(child=child, by=world.lena, shielded=True, reason=REASON),
        write=waiting_at_most(_directory_change(admin, world.north, accredited_on=None)),
    )

    assert change == WAITED
    assert shielded is True
    assert Organisation.objects.get(pk=world.north.pk).accredited_on is not None


def test_an_administrator_cut_off_while_closing_a_colleagues_account_closes_nothing_and_nobody_deadlocks(
    monkeypatch,
):
    """Bea (the lower id) closes Ada's account while Ada closes Bea's organisation. Each has locked their
    own account before either goes on. Bea then waits for Ada's account, Ada closes Bea's organisation,
    and Bea, judged with her organisation once both accounts are hers, closes nothing. (Holding Bea's
    organisation as soon as her own account was locked, before Ada's, deadlocked the two.)"""
    world = build_world()
    elsewhere = Organisation.objects.create(
        kind=OrganisationKind.NATIONAL,
        name="National Directory Office",
        code="NAT-2",
        phone="0300 000 0000",
        email="nat-2@example.org",
        accredited_on=world.north.accredited_on,
    )
    bea = make_user("bea", elsewhere, Role.SYSTEM_ADMIN)
    ada = _administrator(world)
    assert bea.pk < ada.pk
    met = meeting_after(actor_able_locked)
    monkeypatch.setattr(accounts.services, "actor_able_locked", met)
    monkeypatch.setattr(administration.organisations, "actor_able_locked", met)

    def work(index: int) -> Any:
        if index == 0:
            try:
                return account_close(user=User.objects.get(pk=ada.pk), by=User.objects.get(pk=bea.pk))
            except ActorCannotAct:
                return "refused"
        held, closing, _ = _organisation_close_locked(elsewhere, User.objects.get(pk=ada.pk), True)
        return held, closing

    closed_ada, closed_elsewhere = run_together(2, work)

    assert (closed_ada, closed_elsewhere) == ("refused", (False, True))
    assert User.objects.get(pk=ada.pk).is_active
    assert Organisation.objects.get(pk=elsewhere.pk).closed_on is not None
    assert not AuditEvent.objects.filter(tag=AuditTag.AccountClosed).exists()


def test_an_account_moved_to_another_la_on_the_way_is_not_suspended_by_the_old_team(monkeypatch):
    """Alice's organisation is put in South by the administrator after Lena's page checked her."""
    world = build_world()
    admin = _administrator(world)
    client = signed_in(world.lena)

    response, changed = paused_for(
        monkeypatch,
        team.account_pages,
        "account_suspend",
        before=True,
        read=lambda: client.post(reverse("team:suspend", args=[world.alice.pk]), {"reason": REASON}),
        write=_directory_change(admin, world.north_social_care, local_authority=world.south),
    )

    assert changed == ["local_authority"]
    assert response.status_code == 403
    assert "This belongs to another local authority." in response.content.decode()
    assert User.objects.get(pk=world.alice.pk).suspended_at is None
    assert not AuditEvent.objects.filter(tag=AuditTag.AccountSuspended).exists()


def test_a_move_to_another_la_waits_for_a_suspension_already_judged(monkeypatch):
    """Lena's suspension of Alice has judged both accounts and holds their organisations: the
    administrator's move of Alice's organisation into South waits for it (gives up here)."""
    world = build_world()
    admin = _administrator(world)
    alice = User.objects.get(pk=world.alice.pk)

    suspended, change = paused_for(
        monkeypatch,
        accounts.services,
        "sessions_end_all",
        before=True,
        read=lambda: account_suspend(
            user=alice,
            by=world.lena,
            reason=REASON,
            recheck=team.account_pages.still_theirs(Permission.AccountManage),
        ),
        write=waiting_at_most(_directory_change(admin, world.north_social_care, local_authority=world.south)),
    )

    assert change == WAITED
    assert suspended is True
    assert Organisation.objects.get(pk=world.north_social_care.pk).local_authority_id == world.north.pk
