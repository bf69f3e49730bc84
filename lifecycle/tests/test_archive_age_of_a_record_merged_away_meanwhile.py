"""The archive age page posted as a colleague merges the record away: said in words, not a server error.

`archive_age_record` used to write with `filter(...).update(...)`, so a record gone meanwhile wrote nothing
and was refused. Session 31 made it lock the row with `.get()` to judge it again, and a record merged into
another (which deletes it) between the page's policy check and that lock raised `Child.DoesNotExist`:
the LA team's post was a server error. It is refused now, as the shielding page refuses it, nothing written.
"""

from django.urls import reverse

from audit.tags import AuditTag
from children.models import Child
from lifecycle import moves_views
from lifecycle.tests.support import events
from linkage.merging import child_merge
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child


def test_a_record_merged_away_after_the_page_checked_it_is_refused_in_words_and_nothing_is_written(
    world, monkeypatch
):
    survivor = make_child(world, given_names="Amelia")
    duplicate = make_child(world, given_names="Amelie")
    real = moves_views.record_still_there

    def checked_then_merged(child):
        real(child)
        child_merge(  # a colleague's merge, committed once the page has judged the record
            survivor=Child.objects.get(pk=survivor.pk),
            duplicate=Child.objects.get(pk=duplicate.pk),
            by=world.lena,
        )

    monkeypatch.setattr(moves_views, "record_still_there", checked_then_merged)
    response = signed_in(world.lena).post(
        reverse("moves:archive_age", args=[duplicate.pk]), {"age": "21", "consent": "on"}
    )

    page = rendered(response, heading="How long should this record be kept?")
    assert "This record has been merged into another since you opened it: nothing was changed" in page
    assert Child.objects.values_list("archive_age", flat=True).get(pk=survivor.pk) == 18
    assert events(AuditTag.ArchiveAgeRecorded) == []
