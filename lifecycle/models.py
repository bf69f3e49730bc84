"""The archive's own facts: when a record was archived and when it falls due for purge.

The dates are in clear so the daily job finds records due for purge with one indexed query, without
decrypting every archived child, and so the policy can tell a data manager's first year from later.
They say no more than the audit log's own `child:record:archived` event already does (its time).
Why a table of this app rather than columns on `Child`: the archive is the lifecycle's concern, and the
row goes with the child when it is purged (CASCADE), leaving only the tombstone event in the log.
"""

from django.db import models

from children.models import Child


class Archive(models.Model):
    child = models.OneToOneField(Child, primary_key=True, on_delete=models.CASCADE, related_name="archive")
    archived_on = models.DateField()
    purge_due_on = models.DateField(db_index=True)

    def __str__(self) -> str:
        return f"Archive of child {self.child_id}"
