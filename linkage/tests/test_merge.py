"""Merge two records of one child, and undo it exactly; both audited; only the LA team may."""

from datetime import date

import pytest

from access.permissions import Permission
from access.policy import decide
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Carer, Child, Involvement
from children.records import InvolvementDetails
from children.search import SearchCriteria, child_search_matches
from children.selectors import child_details
from children.services import involvement_record
from linkage.merging import MergeRefused, child_merge, child_unmerge
from tests.personas import make_child, make_user


def _pair(world):
    survivor = make_child(world)
    duplicate = make_child(world, family_name="Thorntone", given_names="Amelia-Rose", postcode="LS6 1AA")
    involvement_record(
        child=duplicate,
        by=world.alice,
        details=InvolvementDetails(
            "Alice Example", "Social worker", world.north_social_care.pk, started_on=date(2024, 1, 1)
        ),
    )
    return survivor, duplicate


def test_a_merge_moves_rows_keeps_names_as_former_names_and_leaves_no_duplicate(world):
    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    assert not Child.objects.filter(pk=duplicate.pk).exists()
    assert Involvement.objects.filter(child=survivor).count() == 1
    assert Carer.objects.filter(child=survivor).count() == 2
    details = child_details(Child.objects.get(pk=survivor.pk))
    assert ("Amelia-Rose", "Thorntone") in [(f.given_names, f.family_name) for f in details.former_names]
    found = child_search_matches(SearchCriteria(family_name="Thorntone", date_of_birth=date(2015, 3, 4)))
    assert [r.child.pk for r in found] == [survivor.pk]
    event = AuditEvent.objects.get(tag=AuditTag.ChildMerged)
    assert event.child_id == survivor.pk and event.additional["merge_id"] == str(merge.pk)


def test_an_unmerge_restores_the_duplicate_exactly_and_is_audited(world):
    survivor, duplicate = _pair(world)
    before = child_details(duplicate)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    restored = child_unmerge(merge=merge, by=world.lena)
    assert restored.index_number == duplicate.index_number
    assert child_details(restored) == before
    assert Involvement.objects.filter(child=restored).count() == 1
    assert Carer.objects.filter(child=restored).count() == 1
    assert child_details(Child.objects.get(pk=survivor.pk)).former_names == []
    assert AuditEvent.objects.filter(tag=AuditTag.ChildUnmerged).count() == 2
    with pytest.raises(MergeRefused):
        child_unmerge(merge=merge, by=world.lena)


def test_merging_with_a_shielded_record_shields_the_survivor(world):
    survivor = make_child(world)
    duplicate = make_child(world, shielded=True)
    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    assert Child.objects.get(pk=survivor.pk).shielded


def test_a_record_cannot_be_merged_into_itself(world, child):
    with pytest.raises(MergeRefused):
        child_merge(survivor=child, duplicate=child, by=world.lena)


def test_only_the_childs_la_team_may_merge(world, child):
    assert decide(actor=world.lena, action=Permission.ChildMerge, child=child)
    assert decide(actor=world.alice, action=Permission.ChildMerge, child=child).reason == "role_not_permitted"
    stella = make_user("stella", world.south, "la_team")
    assert decide(actor=stella, action=Permission.ChildMerge, child=child).reason == "other_la"


def test_merging_a_record_a_colleague_has_just_merged_away_is_refused_not_a_server_error(world):
    """Two colleagues confirm the same merge at once: the second, which loaded both records before the
    first committed, finds the duplicate gone under its lock and is refused; nothing changes twice."""
    survivor, duplicate = _pair(world)
    stale_survivor, stale_duplicate = Child.objects.get(pk=survivor.pk), Child.objects.get(pk=duplicate.pk)
    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    with pytest.raises(MergeRefused):
        child_merge(survivor=stale_survivor, duplicate=stale_duplicate, by=world.lena)
    assert AuditEvent.objects.filter(tag=AuditTag.ChildMerged).count() == 1


def test_a_record_moved_to_another_la_after_the_policy_saw_it_is_not_merged(world):
    """The page asks the policy about the records it loaded; a transfer accepted before the merge takes
    its lock must not let the merge reach into another LA's record."""
    survivor, duplicate = _pair(world)
    seen_by_policy = Child.objects.get(pk=duplicate.pk)
    Child.objects.filter(pk=duplicate.pk).update(local_authority=world.south)
    with pytest.raises(MergeRefused):
        child_merge(survivor=survivor, duplicate=seen_by_policy, by=world.lena)
    assert Child.objects.filter(pk=duplicate.pk).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildMerged).exists()


def test_an_unmerge_of_a_survivor_moved_to_another_la_after_the_policy_saw_it_changes_nothing(world):
    """The page asks the policy about the merge's survivor as it loaded it; a transfer accepted before the
    unmerge takes its lock must not let the old LA's team take rows out of another LA's record."""
    from linkage.models import ChildMerge

    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    seen_by_policy = ChildMerge.objects.select_related("survivor").get(pk=merge.pk)
    Child.objects.filter(pk=survivor.pk).update(local_authority=world.south)
    with pytest.raises(MergeRefused):
        child_unmerge(merge=seen_by_policy, by=world.lena)
    assert Child.objects.count() == 1 and Involvement.objects.filter(child=survivor).count() == 1
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildUnmerged).exists()


def _found_by_postcode(family_name: str, postcode: str) -> list[object]:
    return [
        r.child.pk for r in child_search_matches(SearchCriteria(family_name=family_name, postcode=postcode))
    ]


def test_a_merge_keeps_the_duplicates_postcode_as_a_former_postcode_so_its_address_still_finds_the_child(
    world,
):
    """The duplicate was filed at another address (LS6 1AA): a practitioner holding that address must
    still find the child once the two records are one."""
    survivor, duplicate = _pair(world)
    assert _found_by_postcode("Thornton", "LS6 1AA") == [duplicate.pk]  # one letter out, same address
    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    details = child_details(Child.objects.get(pk=survivor.pk))
    assert details.former_postcodes == ["LS6 1AA"]
    assert details.address.postcode == "LS1 4AB"  # the survivor's own address is unchanged
    assert _found_by_postcode("Thornton", "LS6 1AA") == [survivor.pk]
    assert _found_by_postcode("Thorntone", "LS6 1AA") == [survivor.pk]


def test_an_unmerge_takes_the_duplicates_postcode_back_off_the_survivor(world):
    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    restored = child_unmerge(merge=merge, by=world.lena)
    assert child_details(Child.objects.get(pk=survivor.pk)).former_postcodes == []
    # that address is the restored record's again, and the survivor's no longer
    assert _found_by_postcode("Thornton", "LS6 1AA") == [restored.pk]
    assert _found_by_postcode("Thorntone", "LS6 1AA") == [restored.pk]


def test_a_merge_of_records_at_the_same_postcode_adds_no_former_postcode(world):
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose")
    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    assert child_details(Child.objects.get(pk=survivor.pk)).former_postcodes == []


def test_a_merge_keeps_the_last_three_former_postcodes_and_its_undo_gives_back_the_one_it_pushed_out(world):
    survivor = make_child(world, former_postcodes=["HG1 1AA", "HG2 2BB", "HG3 3CC"])
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    assert child_details(Child.objects.get(pk=survivor.pk)).former_postcodes == [
        "LS6 1AA",
        "HG1 1AA",
        "HG2 2BB",
    ]
    assert _found_by_postcode("Thornton", "HG3 3CC") == []
    child_unmerge(merge=merge, by=world.lena)
    assert child_details(Child.objects.get(pk=survivor.pk)).former_postcodes == [
        "HG1 1AA",
        "HG2 2BB",
        "HG3 3CC",
    ]
    assert _found_by_postcode("Thornton", "HG3 3CC") == [survivor.pk]


def test_a_shielded_survivor_is_never_found_through_the_duplicates_postcode(world):
    survivor = make_child(world, shielded=True)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    assert child_details(Child.objects.get(pk=survivor.pk)).former_postcodes == ["LS6 1AA"]
    assert _found_by_postcode("Thornton", "LS6 1AA") == []
    assert _found_by_postcode("Thornton", "LS1 4AB") == []


def test_an_unmerge_gives_back_the_consented_archive_age(world):
    """A care leaver's record consented to age 25 must not come back at 18 and be archived early."""
    from children.models import Child
    from linkage.merging import child_merge, child_unmerge
    from tests.personas import make_child

    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    Child.objects.filter(pk=duplicate.pk).update(archive_age=25)
    merge = child_merge(survivor=survivor, duplicate=Child.objects.get(pk=duplicate.pk), by=world.lena)
    restored = child_unmerge(merge=merge, by=world.lena)
    assert Child.objects.get(pk=restored.pk).archive_age == 25


def _social_work(world):
    from datetime import date

    from children.records import InvolvementDetails

    return InvolvementDetails(
        "Alice Example", "Social worker", world.north_social_care.pk, started_on=date(2024, 1, 1)
    )


def test_after_a_merge_and_an_unmerge_a_second_current_involvement_in_one_role_is_still_refused(world):
    """The duplicate check's key names the child: moved involvements are keyed for the record they
    move to, so the survivor, and the record given back, still refuse a repeat."""
    import pytest

    from children.models import Child
    from children.services import DuplicateInvolvement, involvement_record
    from linkage.merging import child_merge, child_unmerge
    from tests.personas import make_child

    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    involvement_record(child=duplicate, by=world.alice, details=_social_work(world))
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    with pytest.raises(DuplicateInvolvement):
        involvement_record(
            child=Child.objects.get(pk=survivor.pk), by=world.alice, details=_social_work(world)
        )
    restored = child_unmerge(merge=merge, by=world.lena)
    with pytest.raises(DuplicateInvolvement):
        involvement_record(
            child=Child.objects.get(pk=restored.pk), by=world.alice, details=_social_work(world)
        )


def test_a_merge_of_two_records_both_holding_one_practitioners_involvement_keeps_both(world):
    from children.models import Involvement
    from children.services import involvement_record
    from linkage.merging import child_merge
    from tests.personas import make_child

    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    involvement_record(child=survivor, by=world.alice, details=_social_work(world))
    involvement_record(child=duplicate, by=world.alice, details=_social_work(world))
    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    assert Involvement.objects.filter(child=survivor, ceased=False).count() == 2


def test_undoing_a_merge_whose_survivor_a_colleague_has_just_merged_away_is_refused_not_a_server_error(world):
    """The page loaded the merge; meanwhile its survivor was merged into a third record (which takes
    this merge with it: a merge of merges is not undone in one step)."""
    from linkage.models import ChildMerge

    survivor, duplicate = _pair(world)
    third = make_child(world, given_names="Amelie", postcode="LS6 1AB")
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    loaded = ChildMerge.objects.select_related("survivor").get(pk=merge.pk)
    child_merge(survivor=third, duplicate=Child.objects.get(pk=survivor.pk), by=world.lena)
    with pytest.raises(MergeRefused):
        child_unmerge(merge=loaded, by=world.lena)
