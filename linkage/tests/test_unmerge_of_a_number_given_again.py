"""Undoing a merge whose duplicate's index number has since been drawn for another child is refused with a
reason, not a server error, and never gives one number to two children.

Index numbers are 9 random digits and a check digit, drawn again only while a *record* holds the number
(`children.services.child_create`): a merged-away record's number is held by its merge alone, so a new
child can draw it (at national scale, with merges in the tens of thousands and 700,000 new children a year,
some tens a year). The unmerge then rebuilt the duplicate under that number: an IntegrityError (a 500),
and the merge could never be undone.
"""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from linkage.merging import child_merge
from linkage.models import ChildMerge
from linkage.tests.test_merge_pages import REASON, _pair
from tests.journeys import signed_in
from tests.personas import make_child


def test_an_unmerge_whose_number_another_child_now_holds_is_refused_and_changes_nothing(world):
    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    newcomer = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    Child.objects.filter(pk=newcomer.pk).update(index_number=merge.duplicate_index_number)  # the same draw

    response = signed_in(world.lena).post(
        reverse("linkage:merge_detail", args=[merge.pk]), REASON, follow=True
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was changed" in page and "given to another record" in page
    assert ChildMerge.objects.get(pk=merge.pk).unmerged_at is None
    assert Child.objects.filter(index_number=merge.duplicate_index_number).get().pk == newcomer.pk
    assert Child.objects.count() == 2  # the survivor and the newcomer: nothing restored
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildUnmerged).exists()
