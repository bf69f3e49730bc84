"""A correction decision sent while a merge has shredded the record's key but not yet committed
(PostgreSQL: two real sessions).

The decision page now carries the decision out through `children.merged_away.opened_unless_merged_away`
(so that a key shredded by a purge that then failed is said in words: "This record has been removed").
A key refused because a merge is committing is not that: once the merge commits the record is gone, and
the decision goes where the correction went (the survivor, which the decider's LA owns; the service waits
for the merge under the record's lock), never a server error, nor taken for a removed record.
"""

from django.urls import reverse

from audit.tags import AuditTag
from corrections.fields import field_for
from corrections.models import Correction
from corrections.services import correction_raise
from corrections.tests.support import events
from corrections.tests.test_pages_read_while_the_merge_is_committing import _read_while_the_merge_commits
from tests.concurrency import postgresql_race
from tests.journeys import signed_in

pytestmark = postgresql_race("PostgreSQL only: the merge is uncommitted on another session")


def test_a_decision_sent_between_the_shred_and_the_merges_commit_is_no_removed_record(
    world, child, monkeypatch
):
    pending = correction_raise(
        child=child, field=field_for("given_names"), value="Amy", reason="Seen", by=world.alice
    )
    client = signed_in(world.lena)
    client.raise_request_exception = False
    url = reverse("corrections:decide", args=[pending.pk])
    decision = {"decision": "reject", "reason": "Register says Amelia"}

    survivor, response = _read_while_the_merge_commits(
        monkeypatch, world, child, lambda: client.post(url, decision)
    )

    assert response.status_code == 302, response.status_code
    assert Correction.objects.get(pk=pending.pk).child_id == survivor.pk
    assert not events(AuditTag.RecordRemovedShown)
