"""The deletion of a shielded leftover says, in its audit event, that its shield went on a person's word.

A shielded record left shredded by a failed merge is deleted only when an operator names it to
`repair_shredded --shielded-checked`, having been told by its LA team that the shield of the record it was
being merged into was checked (`lifecycle.removal`): the shield goes with the record, with no lift, no
reason and no `child:shield:lifted` event. Its `child:record:removal_completed` event was the same as an
unshielded record's (row counts only), so an auditor reading the log could not tell that a shield had
been dropped at all, nor that a person had vouched for it. It now says so (a flag: nothing about the
child, who the log already shows shielded by its earlier shielding events).
"""

from io import StringIO

from django.core.management import call_command

from audit.tags import AuditTag
from lifecycle.tests.support import events
from tests.personas import make_child
from tests.shredding import shred_rolled_back


def test_the_removal_of_a_shielded_record_is_audited_as_deleted_on_the_operators_word(world, clock):
    shielded = make_child(world, given_names="Aoife", family_name="Kelly", shielded=True)
    plain = make_child(world, given_names="Bronagh", family_name="Walsh")
    shred_rolled_back(shielded)
    shred_rolled_back(plain)

    call_command("repair_shredded", "--apply", "--shielded-checked", str(shielded.pk), stdout=StringIO())

    [vouched] = events(AuditTag.RemovalCompleted, shielded)
    assert vouched.additional == {"carers_deleted": 1, "involvements_deleted": 0, "shield_said_checked": True}
    [ordinary] = events(AuditTag.RemovalCompleted, plain)
    assert ordinary.additional == {"carers_deleted": 1, "involvements_deleted": 0}
    assert "Kelly" not in str(vouched.additional) and "Aoife" not in str(vouched.additional)
