"""An unmerge after the record's life moved on: archived or closed for a new identity since the page
read it (refused: it would bring the old identity back, active and searchable), or named by a
disclosure export (each export gets its own child back: a court order about one child releases that
child, and that child's purge destroys the export's notes)."""

from datetime import date

import pytest

from access.policy import export_approval_stands
from accounts.models import Role
from children.models import Child, RecordStatus
from children.records import Address, ChildDetails
from children.search import SearchCriteria, child_search_matches
from children.selectors import child_details
from disclosure.models import DisclosureExport
from disclosure.selectors import export_notes
from disclosure.services import export_decide, export_release, export_request
from disclosure.tests.downloads import file_built
from lifecycle.identity import new_identity_create
from lifecycle.services import child_archive, child_purge
from linkage.merging import MergeRefused, child_merge, child_unmerge
from linkage.models import ChildMerge
from tests.personas import make_child, make_user


def _new_details() -> ChildDetails:
    return ChildDetails(
        given_names="Poppy",
        family_name="Marchbank",
        gender="female",
        date_of_birth=date(2015, 3, 4),
        address=Address(lines=["8 Elmhurst Gardens", "York"], postcode="YO1 7HH"),
    )


def _found(family_name: str, postcode: str) -> list[object]:
    criteria = SearchCriteria(family_name=family_name, postcode=postcode)
    return [r.child.pk for r in child_search_matches(criteria)]


def _merged(world) -> tuple[ChildMerge, ChildMerge]:
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thornton", postcode="LS6 1AA")
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    seen_by_policy = ChildMerge.objects.select_related("survivor").get(pk=merge.pk)
    assert seen_by_policy.survivor.status == RecordStatus.ACTIVE  # what the page's policy check saw
    return merge, seen_by_policy


def test_undoing_a_merge_whose_survivor_was_closed_for_a_new_identity_since_is_refused(world):
    merge, seen_by_policy = _merged(world)
    new_identity_create(
        old=seen_by_policy.survivor,
        by=world.lena,
        category="adoption",
        details=_new_details(),
        shielded=False,
    )
    with pytest.raises(MergeRefused):
        child_unmerge(merge=seen_by_policy, by=world.lena)
    assert not Child.objects.filter(status=RecordStatus.ACTIVE, index_number=merge.duplicate_index_number)
    assert _found("Thornton", "LS6 1AA") == []


def test_undoing_a_merge_whose_survivor_was_archived_since_is_refused(world):
    _, seen_by_policy = _merged(world)
    assert child_archive(child_id=seen_by_policy.survivor_id, rule="age", today=date(2033, 3, 4))
    with pytest.raises(MergeRefused):
        child_unmerge(merge=seen_by_policy, by=world.lena)
    assert not Child.objects.filter(status=RecordStatus.ACTIVE).exists()


def _court_order_about(world, child: Child, *, approve: bool = False) -> DisclosureExport:
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis="court_order",
        reference="CO-200 Bethany Thornton",
        children=[child],
        fields=["name"],
    )
    if approve:
        leo = make_user("leo", world.north, Role.LA_TEAM)
        export_decide(export=export, by=leo, approve=True, reason="Order for Bethany Thornton checked")
    return export


def _two_records(world) -> tuple[Child, Child]:
    survivor = make_child(world, given_names="Amelia", family_name="Thornton")
    duplicate = make_child(world, given_names="Bethany", family_name="Thornton", postcode="LS6 1AA")
    return survivor, duplicate


def test_after_an_unmerge_an_export_about_the_duplicate_releases_the_duplicate_not_the_survivor(world):
    survivor, duplicate = _two_records(world)
    export = _court_order_about(world, duplicate)
    restored = child_unmerge(
        merge=child_merge(survivor=survivor, duplicate=duplicate, by=world.lena), by=world.lena
    )
    export_decide(
        export=export, by=make_user("leo", world.north, Role.LA_TEAM), approve=True, reason="checked"
    )
    released = export_release(
        export=DisclosureExport.objects.get(pk=export.pk),
        by=world.lena,
        approval_stands=export_approval_stands,
        build=file_built(world.lena),
    )
    assert [child_details(c).full_name for c in released.children] == ["Bethany Thornton"]
    assert [c.pk for c in released.children] == [restored.pk]


def test_an_export_that_named_both_records_keeps_both_after_an_unmerge(world):
    survivor, duplicate = _two_records(world)
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis="court_order",
        reference="CO-201",
        children=[survivor, duplicate],
        fields=["name"],
    )
    restored = child_unmerge(
        merge=child_merge(survivor=survivor, duplicate=duplicate, by=world.lena), by=world.lena
    )
    named = set(DisclosureExport.objects.get(pk=export.pk).children.values_list("pk", flat=True))
    assert named == {survivor.pk, restored.pk}


def test_purging_the_record_an_unmerge_gave_back_destroys_the_notes_of_an_export_about_it(world):
    survivor, duplicate = _two_records(world)
    export = _court_order_about(world, duplicate, approve=True)
    restored = child_unmerge(
        merge=child_merge(survivor=survivor, duplicate=duplicate, by=world.lena), by=world.lena
    )
    Child.objects.filter(pk=restored.pk).update(status=RecordStatus.ARCHIVED)
    assert child_purge(child_id=restored.pk)
    export = DisclosureExport.objects.select_related("data_key").get(pk=export.pk)
    assert export_notes(export).reference is None, "the court order's reference outlives the purge"
