"""A view of a record later merged into another is not a view of a removed record: the activity and
unexplained-views reports name the child that carries the record on (its index number, linking to its
report, which lists the view), so a merge does not end the review of an unexplained view."""

import re

from django.urls import reverse
from django.utils import timezone

from children.index_number import formatted
from lifecycle.rules import ArchiveRule
from lifecycle.services import child_archive, child_purge
from linkage.merging import child_merge, child_unmerge
from reports.tests.reporting import viewed
from tests.journeys import signed_in
from tests.personas import make_child


def _index_cells(page: str) -> list[str]:
    return re.findall(r'data-label="Index number"><div class="cp-cell">(.*?)</div>', page)


def _merged(world):
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thornton", postcode="LS6 1AA")
    viewed(duplicate, world.alice, detail="Typed with the view")
    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    return survivor, duplicate


def test_the_unexplained_report_names_the_child_a_merged_record_is_carried_on_by(world):
    survivor, _ = _merged(world)
    page = signed_in(world.lena).get(reverse("audit:unexplained")).content.decode()
    cells = _index_cells(page)
    assert cells and "Removed record" not in page
    assert any(reverse("audit:child_access", args=[survivor.pk]) in cell for cell in cells)
    assert any(formatted(survivor.index_number) in cell for cell in cells)


def test_the_activity_report_names_the_carrier_and_opens_no_note_under_the_shredded_key(world):
    survivor, _ = _merged(world)
    page = signed_in(world.lena).get(reverse("audit:user_activity", args=[world.alice.pk])).content.decode()
    assert formatted(survivor.index_number) in page and "Removed record" not in page
    assert "Typed with the view" not in page  # sealed under the merged record's key, shredded with it


def test_after_an_unmerge_the_view_is_the_restored_records_again(world):
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thornton", postcode="LS6 1AA")
    viewed(duplicate, world.alice)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    restored = child_unmerge(merge=merge, by=world.lena)
    page = signed_in(world.lena).get(reverse("audit:unexplained")).content.decode()
    assert reverse("audit:child_access", args=[restored.pk]) in page
    assert reverse("audit:child_access", args=[survivor.pk]) not in page


def test_a_purged_record_is_still_a_removed_record(world, child):
    viewed(child, world.alice)
    assert child_archive(child_id=child.pk, rule=ArchiveRule.AGE, today=timezone.localdate())
    assert child_purge(child_id=child.pk)
    page = signed_in(world.lena).get(reverse("audit:user_activity", args=[world.alice.pk])).content.decode()
    assert "Removed record" in page
    assert str(child.pk) not in page
