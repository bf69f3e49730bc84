"""What each source said about a merged duplicate goes to the survivor, and back on unmerge.

`linkage.merging` sits below `feeds` and announces its merges instead of importing this
(`child_merging`, `child_unmerging`). Without it, a merge deleted the duplicate's statements with the
duplicate: the survivor lost the most trusted source's word on its fields, and a record given back by an
unmerge had no provenance at all, so the first, least trusted source to speak again replaced what the
most trusted one had said.

Merge: each (field, source) statement about the duplicate moves to the survivor, resealed under its key,
unless the survivor holds that source's statement on that field already: then the newer of the two is
kept (one row per child, field and source), and the survivor's own is kept in the merge's sealed record.
The survivor's displayed values are not changed by the merge (the LA team chose the record to keep); the
trust order decides them at the next statement, as ever.

Unmerge: the duplicate's statements as they were at the merge are given back to the restored record.
On the survivor, each statement the merge brought is removed (or its own earlier one put back) unless
its source has restated it since, and the affected fields show again what the survivor's own sources
say (`feeds.provenance.child_display_refresh`).
"""

from datetime import datetime
from typing import Any

from django.dispatch import receiver

from accounts.models import User
from children.models import Child
from feeds.models import FieldProvenance
from feeds.provenance import child_display_refresh
from linkage.merging import child_merging, child_unmerging
from vault.sealing import Sealer


@receiver(child_merging, dispatch_uid="feeds.merge_provenance.carried")
def provenance_carried(
    *, survivor: Child, duplicate: Child, source: Sealer, target: Sealer, carried: dict[str, Any], **_: Any
) -> None:
    held = {(row.field, row.source_id): row for row in FieldProvenance.objects.filter(child=survivor)}
    statements = []
    for row in FieldProvenance.objects.filter(child=duplicate).order_by("field", "source_id"):
        value = source.unseal(row, "value")
        statement: dict[str, Any] = {
            "field": row.field,
            "source_id": row.source_id,
            "recorded_at": row.recorded_at.isoformat(),
            "value": value,
            "on_survivor": None,  # the survivor's row that now carries this statement, if any
        }
        own = held.get((row.field, row.source_id))
        if own is None:
            row.child = survivor
            target.seal(row, "value", value)
            row.save(update_fields=["child", "value"])
            statement["on_survivor"] = str(row.pk)
        elif row.recorded_at > own.recorded_at:
            statement["survivor_had"] = {
                "recorded_at": own.recorded_at.isoformat(),
                "value": target.unseal(own, "value"),
            }
            own.recorded_at = row.recorded_at
            target.seal(own, "value", value)
            own.save(update_fields=["recorded_at", "value"])
            statement["on_survivor"] = str(own.pk)
        statements.append(statement)
    carried["provenance"] = statements


@receiver(child_unmerging, dispatch_uid="feeds.merge_provenance.given_back")
def provenance_given_back(
    *,
    survivor: Child,
    restored: Child,
    source: Sealer,
    target: Sealer,
    carried: dict[str, Any],
    by: User,
    **_: Any,
) -> None:
    statements = carried.get("provenance", [])  # absent from a merge made before provenance was carried
    given_back = []
    for statement in statements:
        row = FieldProvenance(
            child=restored,
            field=statement["field"],
            source_id=statement["source_id"],
            recorded_at=datetime.fromisoformat(statement["recorded_at"]),
        )
        target.seal(row, "value", statement["value"])
        given_back.append(row)
    FieldProvenance.objects.bulk_create(given_back)
    taken = _taken_off_survivor(statements, survivor=survivor, sealer=source)
    if taken:
        child_display_refresh(child=survivor, fields=sorted(taken), by=by)


def _taken_off_survivor(statements: list[dict[str, Any]], *, survivor: Child, sealer: Sealer) -> set[str]:
    """Remove from the survivor what the merge brought and no source has restated; the fields touched."""
    brought = {s["on_survivor"]: s for s in statements if s["on_survivor"]}
    fields = set()
    for row in FieldProvenance.objects.filter(child=survivor, pk__in=list(brought)):
        statement = brought[str(row.pk)]
        if row.recorded_at != datetime.fromisoformat(statement["recorded_at"]):
            continue  # its source has spoken about the survivor since: that statement is the survivor's
        own = statement.get("survivor_had")
        if own is None:
            row.delete()
        else:
            row.recorded_at = datetime.fromisoformat(own["recorded_at"])
            sealer.seal(row, "value", own["value"])
            row.save(update_fields=["recorded_at", "value"])
        fields.add(row.field)
    return fields
