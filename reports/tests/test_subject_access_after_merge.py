"""The child's subject access report, and the LA team's access report, still say who looked at the child
once two records are merged (in a chain too, and after an unmerge)."""

from django.urls import reverse

from corrections.fields import field_for
from corrections.services import correction_raise, correction_reject
from linkage.merging import child_merge, child_unmerge
from reports.reports import child_access
from reports.subject_access import subject_access_report
from tests.journeys import signed_in, state_purpose
from tests.personas import make_child


def _by_social_care(world, child, reference: str) -> list[tuple[str, str]]:
    report = subject_access_report(child=child, produced_by=world.lena, reference=reference)
    org = world.north_social_care.name
    return [(a.description, a.organisation) for a in report.accesses if a.organisation == org]


def _look_at(world, duplicate) -> None:
    alice = signed_in(world.alice)
    alice.post(reverse("children:search"), {"family_name": "Thornton", "postcode": "LS6 1AA"}, follow=True)
    state_purpose(alice, duplicate)
    assert alice.get(reverse("children:record", args=[duplicate.pk])).status_code == 200


def test_the_survivors_report_lists_who_searched_for_and_viewed_the_merged_away_record(world):
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thornton", postcode="LS6 1AA")
    _look_at(world, duplicate)
    before = _by_social_care(world, duplicate, "SAR-1")
    assert before  # Alice's search, purpose and view of the record are there

    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    after = _by_social_care(world, survivor, "SAR-2")
    assert after == before, f"the child's report lost who looked at them: was {before}, now {after}"


def test_once_the_merge_is_undone_the_survivors_report_no_longer_lists_the_other_records_accesses(world):
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thornton", postcode="LS6 1AA")
    _look_at(world, duplicate)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    child_unmerge(merge=merge, by=world.lena)
    assert _by_social_care(world, survivor, "SAR-3") == []


def test_after_a_chain_of_merges_the_last_survivors_report_lists_who_looked_at_the_first_record(world):
    """first -> middle, then middle -> last: the first merge's row goes with the middle record, so the
    merges in place no longer say that the last record carries the first one's trail."""
    last = make_child(world)
    middle = make_child(world, given_names="Amelia-Jane", family_name="Thornton", postcode="LS6 2AA")
    first = make_child(world, given_names="Amelia-Rose", family_name="Thornton", postcode="LS6 1AA")
    _look_at(world, first)
    before = _by_social_care(world, first, "SAR-1")
    assert before  # Alice's search, purpose and view of the first record

    child_merge(survivor=middle, duplicate=first, by=world.lena)
    assert _by_social_care(world, middle, "SAR-2") == before
    child_merge(survivor=last, duplicate=middle, by=world.lena)
    after = _by_social_care(world, last, "SAR-3")
    assert after == before, f"the child's report lost who looked at them: was {before}, now {after}"


def test_a_record_given_back_by_an_unmerge_still_lists_who_looked_at_it_before_the_merge(world):
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thornton", postcode="LS6 1AA")
    _look_at(world, duplicate)
    before = _by_social_care(world, duplicate, "SAR-1")
    assert before
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    restored = child_unmerge(merge=merge, by=world.lena)
    after = _by_social_care(world, restored, "SAR-2")
    assert after == before, f"the restored record's report lost who looked at it: was {before}, now {after}"


def test_the_survivors_report_lists_the_corrections_decided_on_the_merged_away_record(world):
    """A merge keeps the duplicate's decided corrections sealed with it, off both records."""
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thornton", postcode="LS6 1AA")
    asked = correction_raise(
        child=duplicate,
        field=field_for("date_of_birth"),
        value="2015-03-05",
        reason="Checked",
        by=world.alice,
    )
    correction_reject(correction=asked, by=world.lena, reason="Birth register says the 4th")
    before = subject_access_report(child=duplicate, produced_by=world.lena, reference="SAR-1").corrections
    assert [(c.detail, c.why_rejected) for c in before] == [("Date of birth", "Birth register says the 4th")]

    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    after = subject_access_report(child=survivor, produced_by=world.lena, reference="SAR-2").corrections
    assert after == before, f"the child's report lost a correction they asked for: was {before}, now {after}"
    page = signed_in(world.lena).post(
        reverse("audit:subject_access", args=[survivor.pk]),
        {"identity_checked": "on", "reference": "SAR-3", "withhold_covert": "on"},
    )
    assert "Birth register says the 4th" in page.content.decode()


def test_the_la_teams_access_report_of_the_survivor_lists_who_viewed_the_merged_away_record(world):
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thornton", postcode="LS6 1AA")
    _look_at(world, duplicate)
    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    events = child_access(child=survivor, fetched_by=world.lena)
    assert events.filter(actor=world.alice, tag="child:record:viewed").exists()
    page = signed_in(world.lena).get(reverse("audit:child_access", args=[survivor.pk])).content.decode()
    assert "Alice Example" in page


def test_after_a_chain_of_merges_the_last_survivors_report_lists_the_corrections_decided_on_the_first(world):
    """first -> middle, then middle -> last: the first merge (keeping the first record's decided corrections)
    goes with the middle record, so the second merge must carry them on, or they are lost for good."""
    first = make_child(world, given_names="Amelia-Rose", family_name="Thornton", postcode="LS6 1AA")
    middle = make_child(world, given_names="Amelia Rose", family_name="Thornton", postcode="LS6 1AB")
    last = make_child(world)
    asked = correction_raise(
        child=first, field=field_for("date_of_birth"), value="2015-03-05", reason="Checked", by=world.alice
    )
    correction_reject(correction=asked, by=world.lena, reason="Birth register says the 4th")

    child_merge(survivor=middle, duplicate=first, by=world.lena)
    child_merge(survivor=last, duplicate=middle, by=world.lena)

    listed = subject_access_report(child=last, produced_by=world.lena, reference="SAR-1").corrections
    assert [(c.detail, c.why_rejected) for c in listed] == [("Date of birth", "Birth register says the 4th")]


def test_undoing_the_second_merge_of_a_chain_gives_the_first_records_decided_corrections_back_with_it(world):
    first = make_child(world, given_names="Amelia-Rose", family_name="Thornton", postcode="LS6 1AA")
    middle = make_child(world, given_names="Amelia Rose", family_name="Thornton", postcode="LS6 1AB")
    last = make_child(world)
    asked = correction_raise(
        child=first, field=field_for("date_of_birth"), value="2015-03-05", reason="Checked", by=world.alice
    )
    correction_reject(correction=asked, by=world.lena, reason="Birth register says the 4th")
    child_merge(survivor=middle, duplicate=first, by=world.lena)
    second = child_merge(survivor=last, duplicate=middle, by=world.lena)

    restored = child_unmerge(merge=second, by=world.lena)

    given_back = subject_access_report(child=restored, produced_by=world.lena, reference="SAR-2").corrections
    assert [(c.detail, c.why_rejected) for c in given_back] == [
        ("Date of birth", "Birth register says the 4th")
    ]
    assert subject_access_report(child=last, produced_by=world.lena, reference="SAR-3").corrections == []


def test_the_la_teams_access_report_reads_why_two_records_were_merged_and_why_the_merge_was_undone(world):
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thornton", postcode="LS6 1AA")
    merge = child_merge(
        survivor=survivor, duplicate=duplicate, by=world.lena, reason="Same synthetic pupil twice"
    )
    lena = signed_in(world.lena)
    page = lena.get(reverse("audit:child_access", args=[survivor.pk])).content.decode()
    assert "Same synthetic pupil twice" in page, "the team cannot read why it merged two children's records"

    restored = child_unmerge(merge=merge, by=world.lena, reason="Synthetic twins, not one child")
    for child in (survivor, restored):
        page = lena.get(reverse("audit:child_access", args=[child.pk])).content.decode()
        assert "Synthetic twins, not one child" in page, "the team cannot read why the merge was undone"
