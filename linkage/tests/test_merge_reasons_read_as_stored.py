"""A merge's and an unmerge's reason must read as it is stored (no right-to-left override, zero-width or
control characters).

Both reasons are sealed into the audit and read back by the LA team in the child's access report (session
21), the one account of why two children's records were made one or split: "checked\u202e...", with
its characters reversed on screen, or words hidden by zero-width characters, would tell the auditor
something other than what was typed. Shielding, moves, complaints and corrections refuse such text
(`children.forms.readable`); the merge pages took it.
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from linkage.merging import child_merge
from linkage.models import ChildMerge
from linkage.tests.test_merge_pages import _pair
from tests.journeys import signed_in

HIDDEN = [
    "Same NHS number \u202eand date of birth",  # right-to-left override
    "Same NHS\u200b number; school confirmed",  # zero-width space
    "Same NHS number\x07; school confirmed",  # a control character
]


@pytest.mark.parametrize("reason", HIDDEN)
def test_a_merge_reason_with_invisible_characters_is_refused_and_nothing_is_merged(world, reason):
    survivor, duplicate = _pair(world)
    response = signed_in(world.lena).post(
        reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk]),
        {"reason": reason, "confirmed": "on"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "The reason contains control or invisible characters" in page
    assert Child.objects.count() == 2 and not ChildMerge.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildMerged).exists()


@pytest.mark.parametrize("reason", HIDDEN)
def test_an_unmerge_reason_with_invisible_characters_is_refused_and_the_merge_stays(world, reason):
    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    response = signed_in(world.lena).post(
        reverse("linkage:merge_detail", args=[merge.pk]), {"reason": reason, "confirmed": "on"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "The reason contains control or invisible characters" in page
    assert ChildMerge.objects.get(pk=merge.pk).unmerged_at is None and Child.objects.count() == 1
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildUnmerged).exists()


def test_a_reason_over_several_lines_is_still_taken(world):
    survivor, duplicate = _pair(world)
    signed_in(world.lena).post(
        reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk]),
        {"reason": "Same NHS number.\r\nSchool confirmed the date of birth.", "confirmed": "on"},
    )
    assert ChildMerge.objects.count() == 1
