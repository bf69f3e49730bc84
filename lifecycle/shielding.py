"""Applying and lifting shielding: the owning LA team's decision (domain: "applies and lifts shielding").

Shielding is one flag on the record: search filters address-derived keys by it at query time, and the
policy shows a shielded record's location to its LA team alone, so nothing else is rewritten. Each change
is audited with its reason sealed under the child's key (the reason may name the risk). A lifted shield
lets the matches withheld while it stood be told: `children.signals.shield_lifted` is sent in the lifting
transaction and coordination (a sibling floor, which this may not import) tells and emails their
practitioners at once.

Who decides is judged twice: by the policy at the start of the request, and again as the first statement
of the writing transaction, on the account's row as locked and its organisation held
(`accounts.services.actor_able_locked`): one closed or suspended in between (on a misuse alert, say), or
cut off (its organisation de-accredited or closed, its vetting lapsed), writes nothing (`ActorCannotAct`,
answered by the page with the audited refusal saying why, signed out).
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import actor_able_locked
from audit.services import event_record
from audit.tags import AuditTag
from children.key_locks import children_keys_lock
from children.models import Child
from children.signals import shield_applied, shield_lifted
from lifecycle.moves import team_record_locked
from vault.sealing import note_seal

SHIELD_REASON_CONTEXT = "shield-reason"


def shield_set(*, child: Child, by: User, shielded: bool, reason: str) -> bool:
    """Shield or unshield the record; False (nothing written) when it already was so.

    The caller's policy check saw the team's active record; the row is re-read under its lock, so a
    record moved or closed since is refused (`RecordChangedSince`) rather than changed. The row alone is
    locked, not its data key (`children.services.child_rows_locked` says why). The child's key locks are
    taken before it, as a merge takes them: a feed row finding the child by its keys then decides before
    the shield (whose transaction holds the review it opened) or after it (and is held), never between,
    when its ordinary review of a child shielded an instant later went unheld to the data manager.
    """
    with transaction.atomic():
        actor_able_locked(by)  # the decider as they are now, before anything else is locked
        children_keys_lock([child.pk])
        stored = team_record_locked(child)
        if stored.shielded == shielded:
            return False
        stored.shielded = shielded
        fields = ["shielded", "updated_at"]
        if shielded:
            # A search made before now stops naming the child to its maker from a kept id
            # (`access.policy.has_found_by_search`): it was made of a child nobody was kept from.
            stored.found_anew_after = child.found_anew_after = timezone.now()
            fields.append("found_anew_after")
        stored.save(update_fields=fields)
        child.shielded = shielded
        event_record(
            tag=AuditTag.ShieldApplied if shielded else AuditTag.ShieldLifted,
            actor=by,
            child_id=stored.pk,
            additional={
                "reason_sealed": note_seal(stored.data_key, context=SHIELD_REASON_CONTEXT, text=reason)
            },
        )
        if shielded:
            shield_applied.send(sender=Child, child=stored)
        else:
            shield_lifted.send(sender=Child, child=stored)
    return True
