"""Crypto-shredding of one child: the lifecycle purge's last step.

Destroying the child's data keys makes every sealed field of the child, its carers and involvements
unreadable in the live database and in every backup (see vault.keys.data_key_shred). The blind
blocking keys go too, so the shredded child can no longer even be a search candidate. The rows
themselves are left for the purge to delete; the audit event records who shredded and when.
"""

from django.db import transaction

from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from children.models import BlockingKeyEntry, Child
from vault.keys import data_key_shred


def child_shred(*, child: Child, by: User | None) -> None:
    """Shred the child's keys and delete its blocking keys, with its audit event, in one transaction."""
    with transaction.atomic():
        destroyed = data_key_shred(child.data_key)
        blocking, _ = BlockingKeyEntry.objects.filter(child=child).delete()
        event_record(
            tag=AuditTag.ChildShredded,
            actor=by,
            child_id=child.pk,
            additional={"data_keys_destroyed": destroyed, "blocking_keys_deleted": blocking},
        )
