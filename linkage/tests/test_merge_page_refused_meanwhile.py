"""A merge confirmed as a colleague merges one of its records elsewhere is answered, not a server error
(PostgreSQL, two real sessions).

The merge page loads both records and asks the policy; `child_merge` then finds the duplicate gone under
its locks and refuses (`MergeRefused`). The page then showed the comparison again from the records it had
loaded, decrypting a record whose data key the colleague's merge had just shredded: a 500 for the team,
and, for a record moved to another LA meanwhile, that LA's record shown and audited as compared.
"""

import threading

from django.urls import reverse

import linkage.merge_views
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from linkage.merging import child_merge
from linkage.models import ChildMerge
from linkage.tests.test_merge_pages import REASON, _pair
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in
from tests.personas import make_child

pytestmark = postgresql_race()


def test_merging_a_record_a_colleague_merges_elsewhere_meanwhile_is_refused_with_a_message(
    world, monkeypatch
):
    survivor, duplicate = _pair(world)
    other = make_child(world, given_names="Amelie", postcode="LS6 1AB")
    lena = signed_in(world.lena)
    url = reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk])
    checked, merged = threading.Event(), threading.Event()
    real = linkage.merge_views.child_merge

    def checked_then_wait(**kwargs):
        """Lena's page has loaded both records and passed the policy; the colleague merges first."""
        checked.set()
        merged.wait(timeout=10)
        return real(**kwargs)

    monkeypatch.setattr(linkage.merge_views, "child_merge", checked_then_wait)

    def work(index: int):
        if index == 0:
            return lena.post(url, REASON, follow=True)
        assert checked.wait(timeout=10)
        try:
            child_merge(survivor=other, duplicate=duplicate, by=world.lena)
        finally:
            merged.set()
        return "merged"

    response, colleague = run_together(2, work)

    assert colleague == "merged"
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was changed" in page and "merged into another" in page
    assert "Amelia-Rose" not in page  # the record merged away is not shown again
    assert ChildMerge.objects.count() == 1 and Child.objects.filter(pk=survivor.pk).exists()
    # Only the look before the merge was audited: no comparison of the record merged away is recorded.
    assert not AuditEvent.objects.filter(tag=AuditTag.MergeCompared).exists()
