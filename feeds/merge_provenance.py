"""What each source said about a merged duplicate is kept with the merge and given back on unmerge.

`linkage.merging` sits below `feeds` and announces its merges instead of importing this
(`child_merging`, `child_unmerging`). Without it, a merge deleted the duplicate's statements with the
duplicate, so a record given back by an unmerge had no provenance at all: the first, least trusted
source to speak again replaced what the most trusted one had said.

Merge: the duplicate's statements (field, source, when, value) are sealed in the merge's own record of
what it carried; they do not join the survivor's. The survivor's displayed values stay decided by its
own sources (the LA team chose the record to keep), and a source that speaks about the merged child
from then on is recorded against it as usual. Moving them in was tried (session 17) and left one
child's values on another's record after two merges and their undoing in some orders; kept apart, an
unmerge cannot leave anything of the duplicate's behind.

Unmerge: the statements are given back to the restored record as they were at the merge.
"""

from datetime import datetime
from typing import Any

from django.dispatch import receiver

from children.models import Child
from feeds.models import FieldProvenance
from linkage.merging import child_merging, child_unmerging
from vault.sealing import Sealer


@receiver(child_merging, dispatch_uid="feeds.merge_provenance.carried")
def provenance_carried(*, duplicate: Child, source: Sealer, carried: dict[str, Any], **_: Any) -> None:
    """Keep the duplicate's statements in the merge's sealed record; its rows go with it."""
    carried["provenance"] = [
        {
            "field": row.field,
            "source_id": row.source_id,
            "recorded_at": row.recorded_at.isoformat(),
            "value": source.unseal(row, "value"),
        }
        for row in FieldProvenance.objects.filter(child=duplicate).order_by("field", "source_id")
    ]


@receiver(child_unmerging, dispatch_uid="feeds.merge_provenance.given_back")
def provenance_given_back(*, restored: Child, target: Sealer, carried: dict[str, Any], **_: Any) -> None:
    """The restored record's statements as they were (absent from a merge made before this was kept)."""
    given_back = []
    for statement in carried.get("provenance", []):
        row = FieldProvenance(
            child=restored,
            field=statement["field"],
            source_id=statement["source_id"],
            recorded_at=datetime.fromisoformat(statement["recorded_at"]),
        )
        target.seal(row, "value", statement["value"])
        given_back.append(row)
    FieldProvenance.objects.bulk_create(given_back)
