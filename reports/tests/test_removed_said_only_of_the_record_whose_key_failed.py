"""'This record has been removed' is said of a record only when its own key no longer opens.

A subject access report of one child opens the other child's involvement of each family match, under
that child's key. With the other child's key shredded by a purge or merge that then failed, the report's
page told the LA team that the child they were reporting on (alive, its key opening) had been removed,
and audited it so: the other record's failure was taken for this one's (`children.merged_away`). Then
the report failed (a 500): `coordination.sensitivity` took a shredded key (`KeyShredded`) as a
sensitive side, but not a revoked one (`KeyRevoked`). Both now.
"""

from django.urls import reverse

from audit.tags import AuditTag
from coordination.models import Match, MatchKind
from coordination.tests.support import record
from corrections.tests.support import events
from tests.journeys import signed_in
from tests.personas import make_child
from tests.shredding import shred_rolled_back


def test_a_report_of_a_live_child_never_says_it_was_removed_for_another_records_key(world, child):
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    record(child, world.alice, role="Allocated social worker")
    record(oliver, world.bob, role="GP")
    assert Match.objects.get().kind == MatchKind.FAMILY  # both records name the same carer
    shred_rolled_back(oliver)

    client = signed_in(world.lena)
    form = {"reference": "SAR-2026-0042", "identity_checked": "on"}
    response = client.post(reverse("audit:subject_access", args=[child.pk]), form)

    assert response.status_code == 200  # the report is produced: the other side, unreadable, is withheld
    assert "This record has been removed" not in response.content.decode()
    assert [e.child_id for e in events(AuditTag.RecordRemovedShown)] == []
