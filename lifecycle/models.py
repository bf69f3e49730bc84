"""The archive's own facts: when a record was archived and when it falls due for purge.

The dates are in clear so the daily job finds records due for purge with one indexed query, without
decrypting every archived child, and so the policy can tell a data manager's first year from later.
They say no more than the audit log's own `child:record:archived` event already does (its time).
Why a table of this app rather than columns on `Child`: the archive is the lifecycle's concern, and the
row goes with the child when it is purged (CASCADE), leaving only the tombstone event in the log.
"""

import uuid

from django.conf import settings
from django.db import models

from children.models import Child


class Archive(models.Model):
    child = models.OneToOneField(Child, primary_key=True, on_delete=models.CASCADE, related_name="archive")
    archived_on = models.DateField()
    purge_due_on = models.DateField(db_index=True)

    def __str__(self) -> str:
        return f"Archive of child {self.child_id}"


class Closure(models.Model):
    """When a record was closed for a new identity, and when it falls due for purge.

    A closed record is never archived (the archive can be opened by a data manager; a closed identity
    is shown to nobody) and never kept for ever: it is crypto-shredded and deleted on `purge_due_on`,
    six years after the close, as an archive is six years after archiving (docs/SECURITY.md, "New
    identity"). The dates are in clear for the same reason as `Archive`'s, and say no more than the
    `child:record:closed` event's own time. The row goes with the child at purge (CASCADE).
    """

    child = models.OneToOneField(Child, primary_key=True, on_delete=models.CASCADE, related_name="closure")
    closed_on = models.DateField()
    purge_due_on = models.DateField(db_index=True)

    def __str__(self) -> str:
        return f"Closure of child {self.child_id}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the receiving local authority"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    # Taken back by the sending LA team before any decision (sent in error, or to an LA that closed since).
    WITHDRAWN = "withdrawn", "Withdrawn by the sending local authority"


class Transfer(models.Model):
    """A request by the owning LA team to hand a child's record to another LA, and its outcome.

    Both LAs' teams see it; only the receiving one decides, and only the sending one may withdraw it while
    it waits (`decided_by`/`decided_at` then say who withdrew it and when). The reasons are free text, so
    they are sealed under the child's own key (shredded with the child). One pending request per child at
    a time. Accepting moves `Child.local_authority` in the same transaction as the state change, guarded
    on `status=pending`, so a second or concurrent accept, or an accept racing a withdrawal, changes
    nothing (lifecycle.moves).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="transfers")
    from_la = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    to_la = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    reason_sealed = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason_sealed = models.TextField(blank=True)
    withdrawal_reason_sealed = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["to_la", "status"]), models.Index(fields=["from_la", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(status="pending"),
                name="one_pending_transfer_per_child",
            )
        ]

    def __str__(self) -> str:
        return f"Transfer {self.id}"
