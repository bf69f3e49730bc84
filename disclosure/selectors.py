"""Reads of a disclosure export's free text: the reference and the decision reason, unsealed for a page.

Only the export pages call this, after the policy has allowed the viewer (`Permission.DisclosureExportView`).
"""

from dataclasses import dataclass

from disclosure.models import DisclosureExport
from vault.sealing import Sealer


@dataclass(frozen=True)
class ExportNotes:
    """What staff typed; both None once destroyed (a child the export named has been purged)."""

    reference: str | None
    decision_reason: str | None

    @property
    def destroyed(self) -> bool:
        return self.reference is None


def export_notes(export: DisclosureExport) -> ExportNotes:
    if export.notes_shredded_at is not None:
        return ExportNotes(reference=None, decision_reason=None)
    sealer = Sealer(export.data_key)
    return ExportNotes(
        reference=sealer.unseal(export, "reference"), decision_reason=sealer.unseal(export, "decision_reason")
    )
