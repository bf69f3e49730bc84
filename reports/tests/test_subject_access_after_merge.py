"""The child's subject access report still says who looked at the child once two records are merged."""

from django.urls import reverse

from linkage.merging import child_merge, child_unmerge
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
