"""A search result is remembered for good (`audit.models.SearchAppearance`), and it lets whoever made the
search name the child from its id alone (the purpose page, `ChildIdentify`). Once the LA team shields a
child, or a shielded child's name changes (a family renamed to escape someone), a search made before that
no longer does: the id kept in a browser's history must not give the past searcher the new name, which no
search by what they knew can now give them. A search made since identifies the child as before; an
ordinary child found long ago still does.
"""

from dataclasses import replace
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from access.permissions import Permission
from access.policy import decide, decide_many
from audit.models import AuditEvent, SearchAppearance
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child
from children.records import FormerName
from children.selectors import child_details
from children.services import child_details_update
from lifecycle.shielding import shield_set
from oversight.misuse import unexplained
from tests.journeys import signed_in
from tests.personas import World
from vault.sealing import Sealer

CRITERIA = {"family_name": "Thornton", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}


def _searched(world: World) -> None:
    client = signed_in(world.alice)
    client.get(client.post(reverse("children:search"), CRITERIA)["Location"])


def _renamed(world: World, child: Child, *, family_name: str = "Whitlock") -> None:
    stored = Child.objects.get(pk=child.pk)
    details = child_details(stored, Sealer(stored.data_key))
    renamed = replace(
        details,
        family_name=family_name,
        former_names=[FormerName(given_names=details.given_names, family_name=details.family_name)],
    )
    child_details_update(
        child=stored, details=renamed, columns=["family_name", "former_names"], by=world.lena
    )


def _shielded(world: World, child: Child) -> None:
    assert shield_set(
        child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm"
    )


def _identify(world: World, child: Child) -> tuple[bool, bool]:
    """The single and the batch form's answers, which must agree."""
    stored = Child.objects.get(pk=child.pk)
    single = decide(actor=world.alice, action=Permission.ChildIdentify, child=stored)
    (batch,) = decide_many(actor=world.alice, asks=[(Permission.ChildIdentify, stored)])
    if not single.allowed:
        assert single.reason == batch.reason == "not_found_by_search"
    return single.allowed, batch.allowed


def test_a_past_searchers_purpose_page_refuses_to_name_a_child_renamed_and_shielded_since(world, child):
    _searched(world)
    _renamed(world, child)
    _shielded(world, child)

    page = signed_in(world.alice).get(reverse("children:purpose", args=[child.pk])).content.decode()
    assert "Whitlock" not in page and "Thornton" not in page
    assert _identify(world, child) == (False, False)


def test_a_past_searchers_look_at_a_child_renamed_and_shielded_since_is_counted_as_unexplained(world, child):
    """A purpose opens any active record by id (a shielded one restricted: its name, gender, date of birth
    and index number), audited and counted by the unexplained-views misuse rule. The search made before
    the shield no longer explains the look: the past searcher is counted as anyone opening it by id is."""
    _searched(world)
    _renamed(world, child)
    _shielded(world, child)

    client = signed_in(world.alice)
    response = client.post(reverse("children:purpose", args=[child.pk]), {"purpose": "providing_service"})
    client.get(response["Location"])
    views = AuditEvent.objects.filter(tag=AuditTag.RecordViewed, actor=world.alice, child_id=child.pk)
    assert views.count() == 1 and unexplained(views).count() == 1


def test_a_search_before_the_shield_no_longer_identifies_the_child(world, child):
    _searched(world)
    _shielded(world, child)
    assert _identify(world, child) == (False, False)


def test_a_shielded_childs_rename_ends_what_searches_before_it_identify(world, child):
    _shielded(world, child)
    _searched(world)  # the old name and date of birth find a shielded child: no hidden field searched
    assert _identify(world, child) == (True, True)

    _renamed(world, child)
    assert _identify(world, child) == (False, False)


def test_a_search_made_after_the_shield_identifies_the_child_as_before(world, child):
    _renamed(world, child)
    _shielded(world, child)
    client = signed_in(world.alice)
    client.get(client.post(reverse("children:search"), {**CRITERIA, "family_name": "Whitlock"})["Location"])

    assert _identify(world, child) == (True, True)
    page = client.get(reverse("children:purpose", args=[child.pk])).content.decode()
    assert "Whitlock" in page


def test_an_ordinary_child_found_long_ago_is_still_identified(world, child):
    with time_machine.travel(timezone.now() - timedelta(days=3650)):  # the search's audit, as written then
        event_record(
            tag=AuditTag.SearchPerformed, actor=world.alice, additional={"result_ids": [str(child.pk)]}
        )
    assert SearchAppearance.objects.get(child_id=child.pk).occurred_at < timezone.now() - timedelta(days=3000)
    assert Child.objects.get(pk=child.pk).found_anew_after is None
    assert _identify(world, child) == (True, True)


def test_an_unshielded_childs_rename_keeps_what_past_searches_identify(world, child):
    """Nobody is being kept from an ordinary child: its new name is found by a search on it anyway."""
    _searched(world)
    _renamed(world, child)
    assert Child.objects.get(pk=child.pk).found_anew_after is None
    assert _identify(world, child) == (True, True)


@pytest.mark.parametrize("columns", [["former_names"], ["family_name"]])
def test_a_shielded_childs_other_changes_keep_what_past_searches_identify(world, child, columns):
    """Only a new given or family name is something a past search did not give (the same name written
    again is none)."""
    _shielded(world, child)
    _searched(world)
    stored = Child.objects.get(pk=child.pk)
    shielded_at = stored.found_anew_after
    details = child_details(stored, Sealer(stored.data_key))
    child_details_update(
        child=stored,
        details=replace(details, former_names=[FormerName(given_names="Amy", family_name="Thornton")]),
        columns=columns,
        by=world.lena,
    )
    assert Child.objects.get(pk=child.pk).found_anew_after == shielded_at
    assert _identify(world, child) == (True, True)
