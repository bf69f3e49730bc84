"""Merging two records of one child, and undoing it, with the history kept to undo it exactly.

Merge: the duplicate's carers, involvements, corrections and complaints move to the survivor (resealed
under the survivor's key: a ciphertext is bound to its row's key), and its carers' family-match keys are
rebuilt there (once it commits, the matches the survivor now bears out are made, as a recording makes
them: `coordination.services.matches_due`); its names become the survivor's former names, its postcode (if
another) the survivor's newest former postcode (so a practitioner holding that address still finds the
child; the last FORMER_POSTCODES_KEPT, filed under hidden keys) and its source identifiers are added; if
either was shielded the survivor is (the safer union). Floors above that keep rows of their own about a
child hear of it (`child_merging`: feeds carries what each source said). The duplicate's whole record as
it was, and what moved or was added, are sealed in a `ChildMerge` under the merge's own key; then the
duplicate's rows are deleted and its data key shredded (the merge's last step), so no second copy stays
readable. The survivor carries the duplicate's identity on (`linkage.retention.identities_carry_over`), so
its purge destroys the copies (review labels) naming it. A merge whose commit fails after the shred leaves
the duplicate unreadable (the provider was told first): it cannot be merged again (`MergeRefused`, said in
words) and the nightly lifecycle run deletes it (`lifecycle.removal`).

Unmerge: the duplicate is rebuilt from the snapshot under its old index number (a new id), the rows that moved
and still exist move back (the matches the two records no longer bear out are withdrawn, and once it commits
those they bear out apart are made), and the added former names, postcode and identifiers are removed from the
survivor (a former postcode the merge pushed out of the last few comes back), except what another merge still
in place brought too. A lead professional is named only from an involvement the record holds, current: the
survivor's, named from one that goes back, is cleared (audited as a lead change), and the restored record gets
its lead at the merge back only if that involvement goes back still current. A shield added by the merge stays
(lifting a shield is a separate, deliberate LA decision). The restored record carries the duplicate's old
identity on again, the survivor no longer (`linkage.retention.identities_give_back`). A survivor shielded at
the unmerge (by the merge, before it or since) gives back a shielded record: the duplicate may be the shielded
child after all (a feed's copy of it is what such merges put right), and its carers come back as they were
kept in the shielded record; the team lifts that shield once sure, as after a "new child" decided on a
shielded hold.
The snapshot has then done its work (a merge is undone once): its key is shredded in the same transaction
(`linkage.retention.merge_snapshot_shred`). An unmerge whose commit fails after that shred leaves the
merge in place with a key that no longer opens: its copy reads as destroyed (`_merge_copy_opened`: the
child's subject access report lists none of the corrections it kept, the survivor's other merges are still
undone and the survivor merged on) and undoing it is refused in words (`COPY_DESTROYED`).

Who decides is judged twice: by the policy at the start of the request, and again as the first statement
of the writing transaction, on the account's row as locked and its organisation held
(`accounts.services.actor_able_locked`): one closed or suspended in between (on a misuse alert, say), or
cut off (its organisation de-accredited or closed, its vetting lapsed), writes nothing (`ActorCannotAct`,
answered by the page with the audited refusal saying why, signed out). Then the page's own policy question
(`recheck`: `MergeRecheck`, `UnmergeRecheck`) is asked again of that account as stored, with each record
as locked: one put in another LA, or given another role, since the page's check is refused there (the
page's `access.http.Refused`, audited), and nothing is written.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts.models import User
from accounts.services import actor_able_locked
from audit.services import event_record
from audit.tags import AuditTag
from children.key_locks import children_keys_lock
from children.models import BlockingKeyEntry, Carer, Child, Involvement, RecordStatus
from children.records import (
    FORMER_POSTCODES_KEPT,
    ChildDetails,
    FormerName,
    InvolvementDetails,
    SourceIdentifier,
)
from children.selectors import child_details
from children.services import (
    child_build,
    child_details_update,
    child_rows_locked,
    children_save_built,
    involvement_current_key,
)
from children.signals import shield_applied
from coordination.family import carer_keys_refresh, matches_untrue_withdraw
from coordination.services import matches_due
from corrections.fields import carer_field, field_for
from corrections.models import Complaint, Correction, CorrectionStatus
from disclosure.models import DisclosureExport
from lifecycle.models import Transfer, TransferStatus
from linkage.models import ChildMerge
from linkage.retention import (
    identities_carry_over,
    identities_give_back,
    merge_snapshot_shred,
    review_labels_unmerged_shred,
)
from matching.normalise import normalise_postcode
from oversight.misuse import view_screen
from vault.crypto import KeyRevoked
from vault.keys import KeyShredded, data_key_build, data_key_shred
from vault.sealing import Sealer, note_seal

# Sent inside a merge's transaction before the duplicate's rows go, with `survivor`, `duplicate`, their
# sealers `source` and `target`, and `carried` (what the merge keeps, sealed, to undo itself). A floor
# above this one that keeps its own rows about a child (feeds: what each source said) carries them here
# and notes in `carried` what it needs to give them back; this floor cannot import it.
child_merging = Signal()
# Sent inside an unmerge's transaction once the rows are back, with `survivor`, `restored`, their sealers
# `source` (the survivor's) and `target` (the restored record's), `carried` and `by`.
child_unmerging = Signal()


class MergeRefused(Exception):
    """The two records cannot be merged (the same record, or not both active)."""


REMOVED = (
    "one of these records has been removed (its details were destroyed by a merge that did not complete) "
    "and will be deleted overnight"
)
# A shielded leftover is never deleted overnight (`lifecycle.removal`): while it is there its keys hold a
# feed row about the child; the other record, if it is the same child, must be shielded first.
REMOVED_SHIELDED = (
    "one of these records has been removed (its details were destroyed by a merge that did not complete). "
    "It was shielded: if the other record is the same child, shield it now. The removed record is deleted "
    "only once the service team is told its shield was checked"
)


def _details_unless_removed(child: Child) -> tuple[Sealer, ChildDetails]:
    """The record's key opened and its details, or `MergeRefused` in words if its own key was shredded
    (`REMOVED`; `REMOVED_SHIELDED` for a shielded one)."""
    try:
        sealer = Sealer(child.data_key)
        return sealer, child_details(child, sealer)
    except (KeyRevoked, KeyShredded) as refused:
        raise MergeRefused(REMOVED_SHIELDED if child.shielded else REMOVED) from refused


def _move(
    rows: list[Any], columns: tuple[str, ...], *, source: Sealer, target: Sealer, to: Child
) -> list[str]:
    moved = []
    for row in rows:
        # A column added after rows existed (`OPTIONAL_SEALED`) is NULL on a row written before: nothing
        # to unseal or seal again, it stays NULL (read as none) where the row goes.
        optional: frozenset[str] = getattr(row, "OPTIONAL_SEALED", frozenset())
        values = {
            column: source.unseal(row, column)
            for column in columns
            if not (column in optional and getattr(row, column) is None)
        }
        row.child = to
        target.seal_all(row, values)
        if isinstance(row, Involvement) and not row.ceased:
            _current_key_moved(row, values, to=to)
        row.save()
        moved.append(str(row.pk))
    return moved


def _current_key_moved(involvement: Involvement, values: dict[str, Any], *, to: Child) -> None:
    """The "one current involvement per practitioner and role" key names the child: recompute it for the
    record the involvement moves to. If that record already holds the same practitioner's current one
    (both duplicates had it), that one keeps the key; this one is kept, unkeyed, as it was recorded."""
    if involvement.recorded_by is None:  # never keyed: nobody to refuse a repeat to
        involvement.current_key = None
        return
    details = InvolvementDetails.from_sealed_values(values)
    key = involvement_current_key(
        child=to, by=involvement.recorded_by, organisation_id=details.organisation_id, role=details.role
    )
    clash = Involvement.objects.filter(current_key=key, ceased=False).exclude(pk=involvement.pk).exists()
    involvement.current_key = None if clash else key


def _postcode_kept(old: ChildDetails, details: ChildDetails) -> tuple[str | None, list[str]]:
    """Make the duplicate's postcode the survivor's newest former one, unless the survivor already has it.

    Returns the postcode added (or None) and the former postcodes that fell off the kept few, so an
    unmerge can put back exactly what was there.
    """
    postcode = normalise_postcode(old.address.postcode) if old.address.postcode else None
    current = normalise_postcode(details.address.postcode) if details.address.postcode else None
    if not postcode or postcode == current or postcode in details.former_postcodes:
        return None, []
    formers = [postcode, *details.former_postcodes]
    details.former_postcodes = formers[:FORMER_POSTCODES_KEPT]
    return postcode, formers[FORMER_POSTCODES_KEPT:]


def _postcode_given_back(formers: list[str], *, added: str | None, dropped: list[str]) -> list[str]:
    """The survivor's former postcodes without the one a merge added, and with what it pushed out."""
    if not added or added not in formers:
        return formers
    kept = [p for p in formers if p != added]
    return [*kept, *(p for p in dropped if p not in kept)][:FORMER_POSTCODES_KEPT]


# The contexts the merge and unmerge reasons are sealed for (each child's access report opens them).
MERGE_REASON_CONTEXT = "merge"
UNMERGE_REASON_CONTEXT = "unmerge"

_CORRECTION_CLEAR = ("field", "status", "raised_by_id", "decided_by_id")


def _correction_kept(correction: Correction, sealer: Sealer) -> dict[str, Any]:
    """A decided correction as it stands, for the merge's sealed record (its row goes with the duplicate)."""
    kept: dict[str, Any] = {name: getattr(correction, name) for name in _CORRECTION_CLEAR}
    kept.update({name: sealer.unseal(correction, name) for name in Correction.SEALED})
    kept["id"] = str(correction.pk)
    kept["raised_at"] = correction.raised_at.isoformat()
    kept["decided_at"] = correction.decided_at.isoformat() if correction.decided_at else None
    return kept


# Said when the merge's sealed copy no longer opens (`_merge_copy_opened`).
COPY_DESTROYED = "this merge's saved copy was destroyed: it can no longer be undone"


def _merge_copy_opened(merge: ChildMerge) -> Sealer | None:
    """The merge's key opened, or None if it no longer opens: its copy is destroyed.

    An unmerge's last step revokes the key at the provider (`merge_snapshot_shred`, fail closed); if the
    commit then fails, the rollback leaves the merge in place and not shredded, but its key refused for
    good. What it kept is gone as surely as if the shred had committed, and is read so (as
    `linkage.retention._brought_by` reads it), not as a server error on every page that reads it. Only a
    key that no longer opens counts: a sealed value that fails under a key that does (altered, moved) is
    still an error."""
    try:
        return Sealer(merge.data_key)
    except (KeyRevoked, KeyShredded):
        return None


def merge_copy_destroyed(merge: ChildMerge) -> bool:
    """Whether the merge, still in place, can no longer be undone: its saved copy's key no longer opens
    (`_merge_copy_opened`). The merge page offers no undo then, rather than refusing it once posted."""
    return merge.unmerged_at is None and _merge_copy_opened(merge) is None


def decided_corrections_kept(survivor: Child) -> list[dict[str, Any]]:
    """The decided corrections kept, sealed, by the merges in place that `survivor` survived: on neither
    record, so the child's subject access report reads them here. A merge of `survivor` into another
    record carries them on: its own merges go, shredded, with it (`merges_shred`), and they would be
    lost for good. A shredded snapshot, or one whose key no longer opens, has nothing left to read."""
    kept: list[dict[str, Any]] = []
    for merge in ChildMerge.objects.filter(
        survivor_id=survivor.pk, unmerged_at__isnull=True, snapshot_shredded_at__isnull=True
    ).select_related("data_key"):
        if (sealer := _merge_copy_opened(merge)) is not None:
            kept += (sealer.unseal(merge, "moved") or {}).get("decided_corrections", [])
    return kept


def _corrections_given_back(kept: list[dict[str, Any]], *, to: Child, sealer: Sealer) -> None:
    """The decided corrections a merge kept, back on the restored record as they were (same ids)."""
    for values in kept:
        correction = Correction(id=values["id"], child=to, **{n: values[n] for n in _CORRECTION_CLEAR})
        sealer.seal_all(correction, {name: values[name] for name in Correction.SEALED})
        correction.decided_at = datetime.fromisoformat(values["decided_at"]) if values["decided_at"] else None
        correction.save()
        # raised_at is set on insert (auto_now_add): put back when it was really raised.
        Correction.objects.filter(pk=correction.pk).update(
            raised_at=datetime.fromisoformat(values["raised_at"])
        )


def _carers_after_the_survivors(survivor: Child, moved: dict[str, Any]) -> None:
    """Number the duplicate's carers after the survivor's own, and point its pending carer corrections
    at their carer's new number: a carer correction names a position ("parent or carer 1"), and two
    carers at one position let a correction meant for one change the other. The old numbers are kept
    in `moved` for the unmerge.

    Never at a position a pending correction of the survivor still names: an unmerge frees the positions
    of the carers it takes back, and a correction raised while the records were one still names one. The
    next merge's first carer took it, and the correction named that carer (a shielded duplicate's refuge
    phone shown to the LA team as "the record says", and overwritten on accepting it)."""
    own = Carer.objects.filter(child=survivor).exclude(pk__in=moved["carers"])
    named = [
        field.carer_position
        for key in Correction.objects.filter(child=survivor, status=CorrectionStatus.PENDING)
        .exclude(pk__in=moved["corrections"])
        .values_list("field", flat=True)
        if (field := field_for(key)) is not None and field.carer_position is not None
    ]
    offset = max([*(carer.position for carer in own), *named], default=-1) + 1
    moved["carer_positions"] = {}
    for carer in Carer.objects.filter(pk__in=moved["carers"]):
        moved["carer_positions"][str(carer.pk)] = carer.position
        carer.position += offset
        carer.save(update_fields=["position"])
    moved["correction_fields"] = {}
    for correction in Correction.objects.filter(pk__in=moved["corrections"]):
        field = field_for(correction.field)
        if field is not None and field.carer_position is not None:
            moved["correction_fields"][str(correction.pk)] = correction.field
            correction.field = carer_field(field.carer_position + offset, field.kind).key
            correction.save(update_fields=["field"])


def _carers_numbered_back(moved: dict[str, Any]) -> None:
    """The numbers the duplicate's carers, and its carer corrections, had before the merge."""
    for carer_id, position in moved.get("carer_positions", {}).items():
        Carer.objects.filter(pk=carer_id).update(position=position)
    for correction_id, key in moved.get("correction_fields", {}).items():
        # Only one that went back: a correction decided while merged stays, numbered for the survivor.
        Correction.objects.filter(pk=correction_id, status=CorrectionStatus.PENDING).update(field=key)


def _exports_given_back(exports: list[dict[str, Any]], *, survivor: Child, restored: Child) -> None:
    """Each export that named the duplicate names the restored record again, and no longer the
    survivor unless it named it before the merge (a court order about one child releases that child)."""
    for kept in exports:
        export = DisclosureExport.objects.filter(pk=kept["id"]).first()
        if export is None:  # deleted since (its retention ran out)
            continue
        export.children.add(restored)
        if not kept["survivor_named"]:
            export.children.remove(survivor)


def _held_by_other_merges(
    merge: ChildMerge,
) -> tuple[list[FormerName], list[SourceIdentifier], set[str]]:
    """The names, identifiers and postcodes that the survivor's other merges, still in place, brought
    with their duplicates: an unmerge must leave those (two duplicates held one pupil number, say).

    A merge whose copy is destroyed (`_merge_copy_opened`) says nothing any more of what it brought: it
    holds nothing back, and the unmerge takes off all that its own merge added."""
    names: list[FormerName] = []
    identifiers: list[SourceIdentifier] = []
    postcodes: set[str] = set()
    others = (
        ChildMerge.objects.filter(survivor_id=merge.survivor_id, unmerged_at__isnull=True)
        .exclude(pk=merge.pk)
        .select_related("data_key")
    )
    for other in others:
        if (sealer := _merge_copy_opened(other)) is None:
            continue
        snapshot = ChildDetails.from_sealed_values(sealer.unseal(other, "snapshot"))
        names += [FormerName(snapshot.given_names, snapshot.family_name), *snapshot.former_names]
        identifiers += snapshot.source_identifiers
        postcode = normalise_postcode(snapshot.address.postcode or "")
        if postcode:
            postcodes.add(postcode)
    return names, identifiers, postcodes


# The merge page's policy question asked again under the merge's locks, of each record as locked (the
# survivor, then the duplicate) and the decider as stored (`_actor_as_stored`). Raises to write nothing
# (the page's `access.http.Refused`: moved to another LA, or no longer of the LA team, since its check).
MergeRecheck = Callable[[Child, User], None]
# The same for undoing a merge: (the merge as locked, its survivor as locked, the decider as stored).
UnmergeRecheck = Callable[[ChildMerge, Child, User], None]


def _actor_as_stored(by: User, recheck: object | None) -> User | None:
    """`by` locked and judged again by the vetting (`actor_able_locked`: `ActorCannotAct`), then, for a
    page's `recheck`, read as stored with their organisation (held by then) for the page's policy question
    to be asked of: an account put in another LA, or given another role, since the page's check is seen
    (as `corrections.services` asks it). Without a page (a loader, a test) nobody is asked but the
    vetting."""
    actor_able_locked(by)  # the decider as they are now, before anything else is locked
    if recheck is None:
        return None
    return User.objects.select_related("organisation").get(pk=by.pk)


def child_merge(
    *, survivor: Child, duplicate: Child, by: User, reason: str = "", recheck: MergeRecheck | None = None
) -> ChildMerge:
    """Fold `duplicate` into `survivor`; `reason` (free text) is audited sealed under the survivor's key.
    `recheck` (`MergeRecheck`): the page's policy question, asked again of each record as locked and the
    decider as stored; raising writes nothing."""
    if survivor.pk == duplicate.pk:
        raise MergeRefused("a record cannot be merged into itself")
    with transaction.atomic():
        actor = _actor_as_stored(by, recheck)
        children_keys_lock([survivor.pk, duplicate.pk])  # before the rows: see children_keys_lock
        # In id order, as a disclosure download locks its children (`disclosure.services.export_release`).
        locked = {
            c.pk: c for c in child_rows_locked().filter(pk__in=[survivor.pk, duplicate.pk]).order_by("pk")
        }
        if survivor.pk not in locked or duplicate.pk not in locked:
            # Merged away (or purged) by someone else since the page loaded them: refuse, not a 500.
            raise MergeRefused("one of these records has been merged into another since you opened it")
        if any(locked[c.pk].local_authority_id != c.local_authority_id for c in (survivor, duplicate)):
            # Transferred since the caller's policy check saw it: that check no longer holds.
            raise MergeRefused(
                "one of these records has moved to another local authority since you opened it"
            )
        survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
        if survivor.status != RecordStatus.ACTIVE or duplicate.status != RecordStatus.ACTIVE:
            raise MergeRefused("one of these records has been archived or closed since you opened it")
        if recheck is not None and actor is not None:
            for stored in (survivor, duplicate):
                recheck(stored, actor)
        if Transfer.objects.filter(child_id__in=list(locked), status=TransferStatus.PENDING).exists():
            # The duplicate's would go with its rows (CASCADE), unaudited, from the receiving team's page;
            # the survivor's would hand that LA the duplicate's carers and involvements unasked. Checked
            # under both rows' locks, which a transfer request takes too.
            raise MergeRefused(
                "a transfer of one of these records to another local authority is waiting for a decision: "
                "withdraw it, or wait for the decision, before merging"
            )
        # Read under both rows' locks, so a record whose key does not open is still there: its own key was
        # shredded by a merge that then failed (only a shred revokes a key). Nothing of it can be read or
        # moved; the nightly run deletes it (`lifecycle.removal`), unless it is shielded.
        source, old = _details_unless_removed(duplicate)
        target, details = _details_unless_removed(survivor)
        moved: dict[str, Any] = {
            "carers": _move(
                list(duplicate.carers.all()), Carer.SEALED, source=source, target=target, to=survivor
            ),
            "involvements": _move(
                list(duplicate.involvements.all()),
                Involvement.SEALED,
                source=source,
                target=target,
                to=survivor,
            ),
            # What people said about the record. A pending correction and a complaint move: the LA team
            # decides and answers them on the merged record. A decided correction is kept sealed with
            # the merge, not moved: carried in, it would pin the survivor's field to the value it gave
            # the duplicate (the other child's address, shown on this one).
            "corrections": _move(
                list(Correction.objects.filter(child=duplicate, status=CorrectionStatus.PENDING)),
                Correction.SEALED,
                source=source,
                target=target,
                to=survivor,
            ),
            "decided_corrections": [
                *(
                    _correction_kept(c, source)
                    for c in Correction.objects.filter(child=duplicate).exclude(
                        status=CorrectionStatus.PENDING
                    )
                ),
                *decided_corrections_kept(duplicate),
            ],
            "complaints": _move(
                list(Complaint.objects.filter(child=duplicate)),
                Complaint.SEALED,
                source=source,
                target=target,
                to=survivor,
            ),
            "former_names": [],
            "identifiers": [],
            "shield_added": duplicate.shielded and not survivor.shielded,
            "archive_age": duplicate.archive_age,  # a consented age (up to 25), given back on unmerge
        }
        for former in [FormerName(old.given_names, old.family_name), *old.former_names]:
            if former not in details.former_names and (former.given_names, former.family_name) != (
                details.given_names,
                details.family_name,
            ):
                details.former_names.append(former)
                moved["former_names"].append(
                    {"given_names": former.given_names, "family_name": former.family_name}
                )
        _carers_after_the_survivors(survivor, moved)
        moved["former_postcode"], moved["former_postcodes_dropped"] = _postcode_kept(old, details)
        for identifier in old.source_identifiers:
            if identifier not in details.source_identifiers:
                details.source_identifiers.append(identifier)
                moved["identifiers"].append(
                    {
                        "scheme": identifier.scheme,
                        "value": identifier.value,
                        "issuer_id": identifier.issuer_id,
                    }
                )
        if moved["shield_added"]:
            # Shielded by the merge as by `shield_set`: a search made before no longer identifies it.
            survivor.shielded = True
            survivor.found_anew_after = timezone.now()
            survivor.save(update_fields=["shielded", "found_anew_after", "updated_at"])
        child_details_update(
            child=survivor,
            details=details,
            columns=["former_names", "former_postcodes", "source_identifiers"],
            by=by,
        )
        child_merging.send(
            sender=ChildMerge,
            survivor=survivor,
            duplicate=duplicate,
            source=source,
            target=target,
            carried=moved,
        )
        # Which exports named the duplicate, and whether each named the survivor too: an unmerge gives
        # each its child back, so an export about the duplicate never releases the survivor after it.
        naming_duplicate = list(DisclosureExport.objects.filter(children=duplicate))
        naming_survivor = set(
            DisclosureExport.objects.filter(
                children=survivor, pk__in=[e.pk for e in naming_duplicate]
            ).values_list("pk", flat=True)
        )
        moved["exports"] = [
            {"id": str(export.pk), "survivor_named": export.pk in naming_survivor}
            for export in naming_duplicate
        ]
        # The survivor carries on the duplicate's identity and all it carried (`linkage.retention`): the
        # purge that ends it must find every copy naming them, whatever later merges do to this row.
        moved["identities"] = identities_carry_over(survivor_id=survivor.pk, duplicate_id=duplicate.pk)
        if survivor.shielded:
            # Once it carries the duplicate's identities: an open review naming the duplicate (about the
            # shielded child, as the team has just decided) is held for the team like one naming the
            # survivor, whether the shield came with the duplicate or the survivor had it already.
            shield_applied.send(sender=Child, child=survivor)
        data_key, dek = data_key_build()
        data_key.save()
        merge = ChildMerge(
            survivor=survivor,
            duplicate_id=duplicate.pk,
            duplicate_index_number=duplicate.index_number,
            duplicate_local_authority_id=duplicate.local_authority_id,
            duplicate_shielded=duplicate.shielded,
            merged_by=by,
            data_key=data_key,
        )
        Sealer(data_key, dek).seal_all(merge, {"snapshot": old.sealed_values(), "moved": moved})
        merge.save()
        # An export that named the duplicate names its identity on in the survivor, so that the
        # survivor's purge finds it and destroys its notes (`disclosure.retention`); `moved["exports"]`
        # lets the unmerge put them back.
        for export in naming_duplicate:
            export.children.add(survivor)
        duplicate_key = duplicate.data_key
        BlockingKeyEntry.objects.filter(child=duplicate).delete()
        duplicate.delete()
        carer_keys_refresh(child=survivor)  # the duplicate's carers still find its family
        # Two practitioners now with one child, or the survivor's with a sibling through a carer it now
        # holds: the recording's match check runs for the survivor once this commits (coordination).
        matches_due.send(sender=ChildMerge, children=[survivor])
        event_record(
            tag=AuditTag.ChildMerged,
            actor=by,
            child_id=survivor.pk,
            additional={
                "merge_id": str(merge.pk),
                "duplicate_id": str(merge.duplicate_id),
                "shield_added": moved["shield_added"],
                "reason_sealed": note_seal(survivor.data_key, context=MERGE_REASON_CONTEXT, text=reason)
                if reason
                else None,
            },
        )
        # Last: the provider refuses the key at once, outside this transaction, so any failure after it
        # rolls back everything but that, leaving the duplicate unreadable (`lifecycle.removal` deletes
        # it). Here only the commit itself can still fail.
        data_key_shred(duplicate_key)
    return merge


def child_unmerge(
    *, merge: ChildMerge, by: User, reason: str = "", recheck: UnmergeRecheck | None = None
) -> Child:
    """Rebuild the duplicate and move back what moved; `reason` is audited sealed under each child's key.
    `recheck` (`UnmergeRecheck`): the page's policy question, asked again of the merge and its survivor as
    locked and the decider as stored; raising writes nothing."""
    seen_la_id = merge.survivor.local_authority_id  # the LA the caller's policy check saw
    with transaction.atomic():
        actor = _actor_as_stored(by, recheck)
        children_keys_lock([merge.survivor_id])  # before the rows: see children_keys_lock
        found = (
            # The merge and the survivor's row, not their data keys: a practitioner recording an
            # involvement on the survivor holds its key (shared, from sealing) and then waits for the row,
            # so locking the key FOR UPDATE too deadlocked (see lifecycle.shielding).
            ChildMerge.objects.select_for_update(of=("self", "survivor"))
            .select_related("survivor")
            .prefetch_related("survivor__data_key", "data_key")
            .filter(pk=merge.pk)
            .first()
        )
        if found is None:  # its survivor was merged away since the page loaded it, taking it along
            raise MergeRefused("the record was merged into another since: this merge can no longer be undone")
        merge = found
        if merge.unmerged_at is not None:
            raise MergeRefused("this merge was already undone")
        survivor_locked = Child.objects.select_for_update().get(pk=merge.survivor_id)
        if survivor_locked.local_authority_id != seen_la_id:
            # Transferred since the caller's policy check saw it: that check no longer holds.
            raise MergeRefused("the record has moved to another local authority")
        if survivor_locked.status != RecordStatus.ACTIVE:
            # Archived, or closed for a new identity, since: rebuilding the duplicate would bring an
            # archived child (or the old identity) back as an active, searchable record.
            raise MergeRefused(
                "the record has been archived or closed since: this merge can no longer be undone"
            )
        if recheck is not None and actor is not None:
            recheck(merge, survivor_locked, actor)
        if Child.objects.filter(index_number=merge.duplicate_index_number).exists():
            # Drawn for a new child since (a merged-away number is held by its merge, not a record): two
            # children under one number would give one's enquiries, exports and reports to the other.
            raise MergeRefused(
                "the merged record's index number has since been given to another record, so it cannot be "
                "restored under it"
            )
        if (sealer := _merge_copy_opened(merge)) is None:
            # Its key revoked by an unmerge whose commit then failed: nothing is left to rebuild from.
            raise MergeRefused(COPY_DESTROYED)
        snapshot, moved = sealer.unseal(merge, "snapshot"), sealer.unseal(merge, "moved")
        survivor = merge.survivor
        going_back = list(Involvement.objects.filter(pk__in=moved["involvements"], child=survivor))
        restored_details = ChildDetails.from_sealed_values(snapshot)
        # Its lead at the merge only if that involvement goes back with it still current: one ended while
        # the records were one is never left as lead (`involvement_cease` clears it), nor another's.
        if restored_details.lead_professional_id not in {str(i.pk) for i in going_back if not i.ceased}:
            restored_details.lead_professional_id = None
        built = child_build(
            local_authority=merge.duplicate_local_authority,
            details=restored_details,
            # Shielded too while the survivor is: restored visible, it would be the 2009 failure by one click.
            shielded=merge.duplicate_shielded or survivor_locked.shielded,
        )
        built.child.index_number = merge.duplicate_index_number
        if "archive_age" in moved:  # absent from a merge made before the archive age was carried
            built.child.archive_age = moved["archive_age"]
        children_save_built([built])
        restored = built.child
        source, target = Sealer(survivor.data_key), Sealer(built.data_key)
        _move(
            list(Carer.objects.filter(pk__in=moved["carers"], child=survivor)),
            Carer.SEALED,
            source=source,
            target=target,
            to=restored,
        )
        _move(going_back, Involvement.SEALED, source=source, target=target, to=restored)
        # Corrections and complaints go back (absent from a merge made before they were carried), except
        # a correction decided while the records were one: it changed the survivor, so it stays there to
        # explain and pin what it changed.
        for rows, model in (
            (
                Correction.objects.filter(pk__in=moved.get("corrections", []), child=survivor).exclude(
                    decided_at__gt=merge.merged_at
                ),
                Correction,
            ),
            (Complaint.objects.filter(pk__in=moved.get("complaints", []), child=survivor), Complaint),
        ):
            _move(list(rows), model.SEALED, source=source, target=target, to=restored)
        _carers_numbered_back(moved)
        _exports_given_back(moved.get("exports", []), survivor=survivor, restored=restored)
        _corrections_given_back(moved.get("decided_corrections", []), to=restored, sealer=target)
        details = child_details(survivor, source)
        names_kept, identifiers_kept, postcodes_kept = _held_by_other_merges(merge)
        added_names = [f for f in (FormerName(**f) for f in moved["former_names"]) if f not in names_kept]
        added_ids = [
            s for s in (SourceIdentifier(**s) for s in moved["identifiers"]) if s not in identifiers_kept
        ]
        details.former_names = [f for f in details.former_names if f not in added_names]
        details.source_identifiers = [s for s in details.source_identifiers if s not in added_ids]
        added_postcode = moved.get(
            "former_postcode"
        )  # absent from a merge made before postcodes were carried
        details.former_postcodes = _postcode_given_back(
            details.former_postcodes,
            added=None if added_postcode in postcodes_kept else added_postcode,
            dropped=moved.get("former_postcodes_dropped", []),
        )
        columns = ["former_names", "former_postcodes", "source_identifiers"]
        # A lead named while the records were one from an involvement that goes back: the survivor no
        # longer holds it (it would name another child's practitioner), so it has none, as when a lead's
        # involvement ends; audited as the lead professional change it is.
        lead_cleared = details.lead_professional_id in {str(i.pk) for i in going_back}
        if lead_cleared:
            details.lead_professional_id = None
            columns.append("lead_professional")
        child_details_update(child=survivor, details=details, columns=columns, by=by)
        if lead_cleared:
            event_record(
                tag=AuditTag.LeadProfessionalSet,
                actor=by,
                child_id=survivor.pk,
                additional={"involvement_id": None, "changed": True, "merge_id": str(merge.pk)},
            )
        for child in (survivor, restored):  # each finds the family of the carers it holds again
            carer_keys_refresh(child=child)
        withdrawn = matches_untrue_withdraw(children=[survivor, restored])
        # And the matches the two records bear out apart (a client match split between two children of
        # one mother is a family match) are made once this commits, as a merge's are.
        matches_due.send(sender=ChildMerge, children=[survivor, restored])
        child_unmerging.send(
            sender=ChildMerge,
            survivor=survivor,
            restored=restored,
            source=source,
            target=target,
            carried=moved,
            by=by,
        )
        identities_give_back(merge=merge, restored_id=restored.pk, brought=moved.get("identities"))
        labels_deleted = review_labels_unmerged_shred(survivor_id=survivor.pk, merged_at=merge.merged_at)
        merge.unmerged_by, merge.unmerged_at, merge.restored_child = by, timezone.now(), restored
        merge.save(update_fields=["unmerged_by", "unmerged_at", "restored_child"])
        for child_id, key in ((survivor.pk, survivor.data_key), (restored.pk, built.data_key)):
            event_record(
                tag=AuditTag.ChildUnmerged,
                actor=by,
                child_id=child_id,
                additional={
                    "merge_id": str(merge.pk),
                    "restored_id": str(restored.pk),
                    "matches_withdrawn": withdrawn,
                    "review_labels_deleted": labels_deleted,
                    "restored_shielded": restored.shielded,
                    "reason_sealed": note_seal(key, context=UNMERGE_REASON_CONTEXT, text=reason)
                    if reason
                    else None,
                },
            )
        merge_snapshot_shred(merge)  # last: the row blanked, then its key revoked; only the commit follows
    return restored


def merge_lookup_record(*, by: User, looked_up: list[tuple[str, Child | None]]) -> None:
    """Audit one look-up of the merge finder: an event per number, as it was entered ("survivor",
    "duplicate"), naming the record found (it is then that child's event, in their subject access report)
    or only that none was. As the archive finder (`lifecycle.finding`): the number typed is never stored, so
    a number that is no record (or another LA's) leaves no trace of it in the team member's events."""
    with transaction.atomic():
        for entered_as, child in looked_up:
            event_record(
                tag=AuditTag.MergeLookup,
                actor=by,
                child_id=child.pk if child is not None else None,
                additional={"entered_as": entered_as, "found": child is not None},
            )


def merge_compare_audit(*, survivor: Child, duplicate: Child, by: User) -> None:
    """Seeing two records side by side decrypts both: one event per child, naming the other by id, and
    the viewing rules count both children (`view_screen`: they may suspend `by`, so the page re-checks
    before showing anything)."""
    with transaction.atomic():
        for child, other in ((survivor, duplicate), (duplicate, survivor)):
            event_record(
                tag=AuditTag.MergeCompared,
                actor=by,
                child_id=child.pk,
                additional={"with_id": str(other.pk)},
            )
        view_screen(user=by)
