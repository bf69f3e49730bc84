"""A merge carries everything known about the duplicate to the survivor, and an unmerge gives it back.

Beyond the rows themselves (test_merge.py): the keys that find a child's family, the record of which
source said what, and the corrections people made.
"""

from datetime import date

from django.db import transaction

from children.models import Child
from children.records import Address, CarerDetails, ChildDetails, Gender, SourceIdentifier
from children.selectors import child_details
from children.services import child_create
from coordination.models import Match, MatchKind
from coordination.tests.support import record, school_teacher
from corrections.fields import field_for
from corrections.models import Complainant, ComplaintAbout
from corrections.selectors import complaints_of, corrections_of
from corrections.services import complaint_record, correction_accept, correction_raise
from feeds.provenance import child_update_from_feed
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_ingest import ingest
from feeds.validation import row_validate
from linkage.merging import child_merge, child_unmerge
from tests.personas import make_child
from vault.sealing import Sealer


def _child_of(
    world,
    *,
    given_names: str,
    carer: CarerDetails,
    identifiers: list[SourceIdentifier] | None = None,
    postcode: str = "LS1 4AB",
) -> Child:
    details = ChildDetails(
        given_names=given_names,
        family_name="Thornton",
        gender=Gender.MALE,
        date_of_birth=date(2012, 6, 1),
        address=Address(lines=["12 Quarry Lane", "Leeds"], postcode=postcode),
        source_identifiers=identifiers or [],
    )
    return child_create(local_authority=world.north, details=details, carers=[carer])


GRACE = CarerDetails(name="Grace Thornton", relationship="mother", phone="07700 900123")
PAUL = CarerDetails(name="Paul Price", relationship="father", phone="07700 900777")


def _matched_children(involvement) -> set[object]:
    """The children whose involvements were matched with this one as family."""
    pairs = Match.objects.filter(kind=MatchKind.FAMILY).select_related("first", "second")
    return {
        (m.second if m.first_id == involvement.pk else m.first).child_id
        for m in pairs
        if involvement.pk in (m.first_id, m.second_id)
    }


def test_after_a_merge_a_sibling_sharing_the_duplicates_carer_is_a_family_match(world):
    """The duplicate's carers move to the survivor: so must the keys that find the family through them."""
    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")  # Grace's child
    record(duplicate, world.alice)
    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    sibling = _child_of(world, given_names="Noah", carer=GRACE)
    told = record(sibling, world.bob)
    assert _matched_children(told) == {survivor.pk}


def test_after_an_unmerge_the_family_is_found_through_the_record_given_back_not_the_survivor(world):
    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    record(duplicate, world.alice)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    record(Child.objects.get(pk=survivor.pk), school_teacher(world))  # the survivor's own involvement
    restored = child_unmerge(merge=merge, by=world.lena)
    sibling = _child_of(world, given_names="Noah", carer=GRACE)
    told = record(sibling, world.bob)
    assert _matched_children(told) == {restored.pk}


def _fresh(child: Child) -> Child:
    return Child.objects.select_related("data_key").get(pk=child.pk)


def test_an_unmerge_keeps_an_identifier_that_another_merge_still_in_place_brought(world):
    """Two duplicates held one pupil number: undoing one merge must not take it from the other's child."""
    upn = SourceIdentifier("upn", "A123456789012", world.north_school.pk)
    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    first = _child_of(world, given_names="Olly", carer=PAUL, identifiers=[upn])
    second = _child_of(world, given_names="Ollie", carer=PAUL, identifiers=[upn])
    merge = child_merge(survivor=survivor, duplicate=first, by=world.lena)
    child_merge(survivor=_fresh(survivor), duplicate=second, by=world.lena)
    child_unmerge(merge=merge, by=world.lena)
    assert upn in child_details(_fresh(survivor)).source_identifiers


def _address_update(child: Child, source, *, postcode: str, line: str) -> None:
    record = row_validate(feed_row(postcode=postcode, address_line=line), today=date(2026, 12, 1))
    with transaction.atomic():
        child_update_from_feed(child=_fresh(child), record=record, source=source)


def _sources(world):
    return health_source(world, code="nhs", trust_rank=1), health_source(world, code="la", trust_rank=9)


def test_a_merge_keeps_the_duplicates_source_statements_apart_from_the_survivors(world):
    """The survivor's displayed values stay decided by its own sources: the duplicate's health-service
    address never becomes the survivor's through the trust order (nor stays on it after an unmerge)."""
    nhs, la_system = _sources(world)
    ingest(nhs, [feed_row()])  # the duplicate, as the health service knows it: LS2 7EY
    duplicate = Child.objects.get()
    survivor = _child_of(world, given_names="Oliver", carer=PAUL)  # entered by hand: no source
    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    _address_update(survivor, la_system, postcode="LS6 1AA", line="4 Harrow Close")
    assert child_details(_fresh(survivor)).address.postcode == "LS6 1AA"


def test_an_unmerge_gives_the_duplicates_source_statements_back_to_it(world):
    """Before, the restored record had none: the least trusted source replaced the health service's."""
    nhs, la_system = _sources(world)
    ingest(nhs, [feed_row()])
    duplicate = Child.objects.get()
    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    restored = child_unmerge(merge=merge, by=world.lena)
    _address_update(restored, la_system, postcode="LS6 1AB", line="5 Harrow Close")
    assert child_details(_fresh(restored)).address.postcode == "LS2 7EY"  # the health service's still


def test_two_merges_fed_by_one_source_and_undone_in_either_order_leave_the_survivor_its_own(world):
    """Two duplicates stated by one source, merged into a record entered by hand, then both undone: the
    survivor never shows either duplicate's name or address (a reviewer's case against moving them in)."""
    nhs, _ = _sources(world)
    for order in ((0, 1), (1, 0)):
        Child.objects.all().delete()
        ingest(nhs, [feed_row(record_id="A", nhs_number=None)], batch_id=f"a{order}")
        first = Child.objects.get()
        ingest(
            nhs,
            [
                feed_row(
                    record_id="B",
                    given_names="Rosa",
                    family_name="Quayle",
                    postcode="LS7 3QQ",
                    nhs_number=None,
                )
            ],
            batch_id=f"b{order}",
        )
        second = Child.objects.exclude(pk=first.pk).get()
        survivor = _child_of(world, given_names="Oliver", carer=PAUL)
        merges = [
            child_merge(survivor=survivor, duplicate=first, by=world.lena),
            child_merge(survivor=_fresh(survivor), duplicate=second, by=world.lena),
        ]
        for index in order:
            child_unmerge(merge=merges[index], by=world.lena)
        shown = child_details(_fresh(survivor))
        assert (shown.given_names, shown.family_name, shown.address.postcode) == (
            "Oliver",
            "Thornton",
            "LS1 4AB",
        )


NEW_ADDRESS = {
    "status": "known",
    "lines": ["8 Fernbank Way", "Leeds"],
    "postcode": "LS2 9JT",
    "return_intention": None,
}


def test_a_merge_carries_the_duplicates_pending_corrections_and_complaints_and_an_unmerge_gives_them_back(
    world,
):
    """Still to be decided or answered: the LA team does so on the merged record (before, they were
    deleted with the duplicate)."""
    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    correction = correction_raise(
        child=duplicate, field=field_for("address"), value=NEW_ADDRESS, reason="Moved", by=world.alice
    )
    complaint = complaint_record(
        child=duplicate,
        by=world.lena,
        complainant=Complainant.PARENT_CARER,
        about=ComplaintAbout.RECORD,
        received_on=date(2026, 11, 2),
        summary="The address was wrong",
    )
    merge = child_merge(survivor=survivor, duplicate=_fresh(duplicate), by=world.lena)
    merged = _fresh(survivor)
    [carried] = corrections_of(child=merged)
    assert carried.pk == correction.pk
    assert Sealer(merged.data_key).unseal(carried, "proposed_value") == NEW_ADDRESS
    [kept] = complaints_of(child=merged)
    assert Sealer(merged.data_key).unseal(kept, "summary") == "The address was wrong"
    restored = child_unmerge(merge=merge, by=world.lena)
    assert not corrections_of(child=merged).exists() and not complaints_of(child=merged).exists()
    [back] = corrections_of(child=restored)
    assert Sealer(_fresh(restored).data_key).unseal(back, "reason") == "Moved"
    assert [c.pk for c in complaints_of(child=restored)] == [complaint.pk]


def _merged_in_error_then_undone(world):
    """Alice works with one child, merged in error into another; Carol records with the merged record
    (a client match: "the same child"); the merge is undone. The two are different children again."""
    from coordination.tests.support import school_teacher

    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")  # Grace's child
    alices = record(duplicate, world.alice, role="Allocated social worker")
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    carol = school_teacher(world)
    record(_fresh(survivor), carol, role="Class teacher")
    assert Match.objects.get().kind == MatchKind.CLIENT
    restored = child_unmerge(merge=merge, by=world.lena)
    return restored, carol, alices


def test_after_an_unmerge_a_practitioner_is_not_told_of_the_other_childs_practitioner(world):
    from coordination.tests.support import inbox_page

    _merged_in_error_then_undone(world)
    assert "Carol Example" not in inbox_page(world.alice)  # Carol works with the other child only
    assert not Match.objects.exists()


def test_a_lead_professional_offer_made_across_a_merge_undone_since_cannot_be_accepted(world):
    """Accepting sets the lead professional of the proposer's child: only someone involved with that
    child may, so an offer left from when the two records were one is refused, not carried out."""
    from django.urls import reverse

    from coordination.models import LeadProposal
    from coordination.tests.support import school_teacher
    from tests.journeys import signed_in

    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    alices = record(duplicate, world.alice, role="Allocated social worker")
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    carol = school_teacher(world)
    record(_fresh(survivor), carol, role="Class teacher")
    match = Match.objects.get()
    signed_in(world.alice).post(reverse("coordination:propose_lead", args=[match.pk]))
    proposal = LeadProposal.objects.get(involvement=alices)
    restored = child_unmerge(merge=merge, by=world.lena)
    response = signed_in(carol).post(reverse("coordination:accept_lead", args=[proposal.pk]))
    assert response.status_code in (403, 404)
    assert child_details(_fresh(restored)).lead_professional_id is None


def test_an_unmerge_keeps_a_former_postcode_that_another_merge_still_in_place_brought(world):
    """Both duplicates held the family's old address: undoing one merge must not take it off the child
    while the other stands (a practitioner holding that address must still find them)."""
    from children.search import SearchCriteria, child_search_matches

    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    first = _child_of(world, given_names="Olly", carer=PAUL, postcode="LS6 1AA")
    second = _child_of(world, given_names="Ollie", carer=PAUL, postcode="LS6 1AA")
    merge = child_merge(survivor=survivor, duplicate=first, by=world.lena)
    child_merge(survivor=_fresh(survivor), duplicate=second, by=world.lena)
    child_unmerge(merge=merge, by=world.lena)
    assert "LS6 1AA" in child_details(_fresh(survivor)).former_postcodes
    found = child_search_matches(SearchCriteria(family_name="Thornton", postcode="LS6 1AA"))
    assert survivor.pk in [r.child.pk for r in found]


def test_a_correction_decided_while_the_records_were_one_stays_with_the_record_it_corrected(world):
    """Raised on the duplicate, accepted after the merge: it changed the survivor, so an unmerge leaves
    it there (before, it went to the restored record, which never took its value)."""
    from corrections.models import Correction, CorrectionStatus

    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    raised = correction_raise(
        child=duplicate, field=field_for("family_name"), value="Thorneycroft", reason="Birth", by=world.alice
    )
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    correction_accept(
        correction=Correction.objects.select_related("child__data_key").get(pk=raised.pk), by=world.lena
    )
    assert child_details(_fresh(survivor)).family_name == "Thorneycroft"
    child_unmerge(merge=merge, by=world.lena)
    accepted = Correction.objects.get(pk=raised.pk)
    assert accepted.status == CorrectionStatus.ACCEPTED and accepted.child_id == survivor.pk
    assert child_details(_fresh(survivor)).family_name == "Thorneycroft"


def test_after_an_unmerge_a_family_match_through_the_carer_it_gave_back_is_withdrawn(world):
    """While the records were one, Carol (with the merged record) was rightly told of Alice, working
    with Noah, Grace's other child. Grace went back with the duplicate: Oliver is not Noah's sibling."""
    from coordination.tests.support import inbox_page, school_teacher

    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")  # Grace's child
    sibling = _child_of(world, given_names="Noah", carer=GRACE)
    record(sibling, world.alice, role="Allocated social worker")
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    carol = school_teacher(world)
    record(_fresh(survivor), carol, role="Class teacher")
    assert Match.objects.get().kind == MatchKind.FAMILY
    assert "Alice Example" in inbox_page(carol)
    child_unmerge(merge=merge, by=world.lena)
    assert "Alice Example" not in inbox_page(carol)
    assert not Match.objects.exists()


def test_a_correction_the_duplicate_took_never_decides_what_the_survivor_shows(world):
    """An accepted correction pins its record's field against what sources said before it. Carried into
    the survivor, the duplicate's corrected address outranked the survivor's health-service address at
    the survivor's next feed update: the other child's address, shown on this one."""
    nhs, la_system = _sources(world)
    ingest(nhs, [feed_row()])  # the survivor, as the health service knows it: LS2 7EY
    survivor = Child.objects.get()
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    correction = correction_raise(
        child=duplicate, field=field_for("address"), value=NEW_ADDRESS, reason="Moved", by=world.alice
    )
    correction_accept(correction=correction, by=world.lena)  # the duplicate now reads LS2 9JT
    merge = child_merge(survivor=survivor, duplicate=_fresh(duplicate), by=world.lena)
    _address_update(survivor, la_system, postcode="LS6 1AB", line="5 Harrow Close")
    assert child_details(_fresh(survivor)).address.postcode == "LS2 7EY"  # its own most trusted source
    restored = child_unmerge(merge=merge, by=world.lena)
    [back] = corrections_of(child=restored)  # the decided correction is given back to its record
    assert back.pk == correction.pk
    assert Sealer(_fresh(restored).data_key).unseal(back, "proposed_value") == NEW_ADDRESS


def test_a_carried_correction_of_the_duplicates_carer_changes_that_carer_not_the_survivors(world):
    """A carer correction names a position ("parent or carer 1"): the duplicate's carers follow the
    survivor's own, and its pending correction follows its carer; an unmerge puts both back."""
    from corrections.models import Correction

    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")  # Grace, position 0
    raised = correction_raise(
        child=duplicate, field=field_for("carer-0-phone"), value="07700 900456", reason="New", by=world.alice
    )
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    merged = _fresh(survivor)
    correction_accept(
        correction=Correction.objects.select_related("child__data_key").get(pk=raised.pk), by=world.lena
    )
    sealer = Sealer(merged.data_key)
    phones = {sealer.unseal(c, "name"): sealer.unseal(c, "phone") for c in merged.carers.all()}
    assert phones == {"Paul Price": "07700 900777", "Grace Thornton": "07700 900456"}
    assert sorted(merged.carers.values_list("position", flat=True)) == [0, 1]
    restored = child_unmerge(merge=merge, by=world.lena)
    assert list(_fresh(restored).carers.values_list("position", flat=True)) == [0]
