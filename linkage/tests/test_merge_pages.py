"""Merge pages: the LA team compares two records, merges them with a reason, and can undo it; each audited.

Each rule is tried from the wrong side: wrong role, another LA's team, a record of another LA, shielding.
"""

from datetime import date

from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, Involvement
from children.records import InvolvementDetails
from children.selectors import child_details
from children.services import involvement_record
from linkage.merging import child_merge
from linkage.models import ChildMerge
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child, make_user
from vault.sealing import note_unseal

REASON = {"reason": "Same NHS number and date of birth; school confirmed", "confirmed": "on"}


def _pair(world, *, survivor_shielded=False, duplicate_shielded=False, duplicate_la=None):
    survivor = make_child(world, shielded=survivor_shielded)
    duplicate = make_child(
        world,
        family_name="Thorntone",
        given_names="Amelia-Rose",
        postcode="LS6 1AA",
        shielded=duplicate_shielded,
        la=duplicate_la,
    )
    involvement_record(
        child=duplicate,
        by=world.alice,
        details=InvolvementDetails(
            "Alice Example", "Social worker", world.north_social_care.pk, started_on=date(2024, 1, 1)
        ),
    )
    return survivor, duplicate


def _compare(survivor, duplicate):
    return reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk])


def test_the_la_team_finds_two_records_by_index_number_and_sees_them_side_by_side(world):
    survivor, duplicate = _pair(world)
    client = signed_in(world.lena)
    response = client.post(
        reverse("linkage:merge_find"),
        {"survivor": survivor.index_number, "duplicate": duplicate.index_number},
    )
    assert response.status_code == 302 and response["Location"] == _compare(survivor, duplicate)
    page = client.get(response["Location"]).content.decode()
    assert "Are these the same child?" in page and "Amelia-Rose" in page and "LS6 1AA" in page
    assert "LS1 4AB" in page and Child.objects.count() == 2


def test_an_unknown_or_repeated_index_number_is_explained(world):
    survivor, _ = _pair(world)
    client = signed_in(world.lena)
    page = client.post(
        reverse("linkage:merge_find"), {"survivor": survivor.index_number, "duplicate": "1234567890"}
    ).content.decode()
    assert "<title>Error: Merge two records" in page
    assert "Enter a 10-digit index number" in page or "No active record has this index number" in page
    page = client.post(
        reverse("linkage:merge_find"), {"survivor": survivor.index_number, "duplicate": survivor.index_number}
    ).content.decode()
    assert "Enter the index number of a different record" in page


def test_merging_with_a_reason_moves_the_involvement_and_is_audited_with_the_reason_sealed(world):
    survivor, duplicate = _pair(world)
    response = signed_in(world.lena).post(_compare(survivor, duplicate), REASON, follow=True)
    merge = ChildMerge.objects.get()
    assert response.redirect_chain[-1][0] == reverse("linkage:merge_detail", args=[merge.pk])
    assert "Records merged." in response.content.decode()
    assert not Child.objects.filter(pk=duplicate.pk).exists()
    assert Involvement.objects.get().child_id == survivor.pk
    event = AuditEvent.objects.get(tag=AuditTag.ChildMerged)
    assert event.actor_id == world.lena.pk and event.additional["merge_id"] == str(merge.pk)
    assert "NHS" not in str(event.additional)
    sealed = event.additional["reason_sealed"]
    assert (
        note_unseal(Child.objects.get(pk=survivor.pk).data_key, context="merge", sealed=sealed)
        == REASON["reason"]
    )


def test_merging_without_a_reason_or_confirmation_changes_nothing_and_says_why(world):
    survivor, duplicate = _pair(world)
    response = signed_in(world.lena).post(_compare(survivor, duplicate), {"reason": ""})
    page = response.content.decode()
    assert response.status_code == 400 and "<title>Error: Are these the same child?" in page
    assert "Enter why these records are the same child" in page
    assert "Confirm that you have checked these records are the same child" in page
    assert Child.objects.count() == 2 and not ChildMerge.objects.exists()


def test_a_shielded_duplicate_merged_into_an_unshielded_record_leaves_the_survivor_shielded(world):
    survivor, duplicate = _pair(world, duplicate_shielded=True)
    page = signed_in(world.lena).get(_compare(survivor, duplicate)).content.decode()
    assert "the record you keep will be shielded" in page
    signed_in(world.lena).post(_compare(survivor, duplicate), REASON)
    assert Child.objects.get().shielded and Child.objects.get().pk == survivor.pk
    assert AuditEvent.objects.get(tag=AuditTag.ChildMerged).additional["shield_added"] is True


def test_a_shielded_survivor_stays_shielded_after_merging_an_unshielded_record(world):
    survivor, duplicate = _pair(world, survivor_shielded=True)
    signed_in(world.lena).post(_compare(survivor, duplicate), REASON)
    assert [c.shielded for c in Child.objects.all()] == [True]


def test_undoing_a_shielding_merge_keeps_both_records_shielded(world):
    survivor, duplicate = _pair(world, duplicate_shielded=True)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    signed_in(world.lena).post(reverse("linkage:merge_detail", args=[merge.pk]), REASON)
    assert sorted(c.shielded for c in Child.objects.all()) == [True, True]


def test_a_data_manager_or_a_practitioner_cannot_merge(world):
    survivor, duplicate = _pair(world)
    for who in (world.dara, world.alice):
        client = signed_in(who)
        for url in (reverse("linkage:merge_find"), _compare(survivor, duplicate)):
            response = client.post(url, REASON)
            assert (
                response.status_code == 403 and "Your role does not allow this." in response.content.decode()
            )
    assert Child.objects.count() == 2


def test_another_las_team_cannot_see_or_merge_north_records(world):
    survivor, duplicate = _pair(world)
    stella = signed_in(make_user("stella", world.south, Role.LA_TEAM))
    assert stella.get(_compare(survivor, duplicate)).status_code == 403
    response = stella.post(_compare(survivor, duplicate), REASON)
    assert response.status_code == 403 and "Amelia" not in response.content.decode()
    assert Child.objects.count() == 2
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, additional__reason="other_la").exists()


def test_a_record_of_another_la_cannot_be_merged_into_your_own(world):
    survivor, duplicate = _pair(world, duplicate_la=world.south)
    response = signed_in(world.lena).post(_compare(survivor, duplicate), REASON)
    assert response.status_code == 403 and Child.objects.count() == 2


def test_undoing_a_merge_restores_both_records_and_their_involvements_and_is_audited(world):
    survivor, duplicate = _pair(world)
    before = child_details(duplicate)
    survivor_before = child_details(survivor)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    url = reverse("linkage:merge_detail", args=[merge.pk])
    assert "Undo this merge" in signed_in(world.lena).get(url).content.decode()
    page = signed_in(world.lena).post(url, REASON, follow=True).content.decode()
    assert "Merge undone: both records are back." in page and "restored" in page
    restored = Child.objects.get(index_number=duplicate.index_number)
    assert child_details(restored) == before
    assert child_details(Child.objects.get(pk=survivor.pk)) == survivor_before
    assert Involvement.objects.get().child_id == restored.pk
    events = AuditEvent.objects.filter(tag=AuditTag.ChildUnmerged)
    assert {e.child_id for e in events} == {survivor.pk, restored.pk}
    assert all(e.additional["reason_sealed"] for e in events)


def test_undoing_a_merge_without_a_reason_changes_nothing(world):
    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    response = signed_in(world.lena).post(reverse("linkage:merge_detail", args=[merge.pk]), {})
    assert (
        response.status_code == 400 and "Enter why this merge should be undone" in response.content.decode()
    )
    assert Child.objects.count() == 1


def test_another_las_team_cannot_undo_a_merge(world):
    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    stella = signed_in(make_user("stella", world.south, Role.LA_TEAM))
    assert stella.post(reverse("linkage:merge_detail", args=[merge.pk]), REASON).status_code == 403
    assert Child.objects.count() == 1


def test_a_merge_that_took_in_another_las_record_cannot_be_undone_by_the_survivors_team_alone(world):
    survivor, duplicate = _pair(world, duplicate_la=world.south)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    response = signed_in(world.lena).post(reverse("linkage:merge_detail", args=[merge.pk]), REASON)
    assert response.status_code == 403 and Child.objects.count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, additional__reason="other_la").exists()


def test_the_review_queue_offers_merging_to_the_la_team_only(world):
    assert "Merge two records" in signed_in(world.lena).get(reverse("linkage:reviews")).content.decode()
    assert "Merge two records" not in signed_in(world.dara).get(reverse("linkage:reviews")).content.decode()


def test_seeing_two_records_side_by_side_is_audited_against_each_child(world):
    """The comparison decrypts both records (names, dates of birth, addresses): each child's access
    report must show who looked, like a record view."""
    survivor, duplicate = _pair(world)
    page = signed_in(world.lena).get(_compare(survivor, duplicate)).content.decode()
    assert "Amelia-Rose" in page
    seen = AuditEvent.objects.filter(tag=AuditTag.MergeCompared, actor=world.lena)
    assert sorted(str(e.child_id) for e in seen) == sorted([str(survivor.pk), str(duplicate.pk)])
    assert all(e.additional["with_id"] == str(other.pk) for e, other in _paired(seen, survivor, duplicate))


def _paired(events, survivor, duplicate):
    by_child = {e.child_id: e for e in events}
    return [(by_child[survivor.pk], duplicate), (by_child[duplicate.pk], survivor)]


def test_another_las_index_numbers_are_answered_like_unknown_ones_on_the_find_page(world):
    """The find page must not tell a team which index numbers exist in other LAs (a probe)."""
    survivor, duplicate = _pair(world)
    stella = signed_in(make_user("stella", world.south, Role.LA_TEAM))
    response = stella.post(
        reverse("linkage:merge_find"),
        {"survivor": survivor.index_number, "duplicate": duplicate.index_number},
    )
    page = response.content.decode()
    assert response.status_code == 400 and page.count("No active record has this index number") >= 2
    assert _compare(survivor, duplicate) not in page


def test_the_comparison_shows_a_source_identifier_only_to_staff_of_the_body_that_issued_it(world):
    """The record page's rule (`access.policy.visibility`): make_child's NHS number is issued by North's
    GP practice, so North's LA team sees that one is held, never its value."""
    survivor, duplicate = _pair(world)
    page = rendered(
        signed_in(world.lena).get(reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk])),
        heading="Are these the same child?",
    )
    assert "943 476 5919" not in page and "9434765919" not in page
    assert "NHS number held, issued by another body" in page
