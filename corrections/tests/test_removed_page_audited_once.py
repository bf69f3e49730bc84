"""A page that says "This record has been removed" is audited once, as that (`RecordRemovedShown`).

The correction pages audited a look at the record (`RecordViewed`, with the stated purpose, counted by the
viewing rules and listed in the child's access report) before opening the record's key, then said the
record was removed: a view of a record of which nothing was shown. The purpose page likewise audited
being asked for a purpose before naming the child. The record's own pages open the key first.
"""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from coordination.tests.support import record
from tests.journeys import signed_in, state_purpose
from tests.shredding import shred_rolled_back


def test_every_removed_page_writes_only_that_it_said_so(world, child):
    record(child, world.alice)  # the purpose page names a child its asker works with
    client = signed_in(world.alice)
    state_purpose(client, child)
    shred_rolled_back(child)
    for url in (
        reverse("children:purpose", args=[child.pk]),
        reverse("corrections:choose", args=[child.pk]),
        reverse("corrections:propose", args=[child.pk, "family_name"]),
    ):
        before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        response = client.get(url)
        assert response.status_code == 410, (url, response.status_code)
        written = list(AuditEvent.objects.filter(pk__gt=before).values_list("tag", flat=True))
        assert written == [AuditTag.RecordRemovedShown], (url, written)
