"""Writes to child records. Each writes its audit event in the same transaction."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, User
from accounts.services import actor_able_locked
from audit.services import event_record
from audit.tags import AuditTag
from children import index_number
from children.models import (
    ARCHIVE_AGE_DEFAULT,
    ARCHIVE_AGE_LIMIT,
    BlockingKeyEntry,
    Carer,
    Child,
    Involvement,
)
from children.numbers import index_number_unused, index_numbers_taken
from children.records import (
    CarerDetails,
    ChildDetails,
    InvolvementDetails,
    RecordingBasis,
    SensitiveCategory,
    SourceIdentifier,
    former_postcodes_after_move,
)
from children.selectors import child_details, unseal_column
from matching.blocking import record_keys
from matching.nhs import nhs_number_names_no_one
from oversight.misuse import OUTSIDE_HOME_LA, view_screen
from rowlocks.held import Strength, row_held
from vault.blind_index import blind_index, blind_indexes
from vault.crypto import DecryptionFailed, cipher
from vault.keys import NewDataKey, data_key_new, data_key_row
from vault.models import DataKey
from vault.sealing import Sealer, seal_row

BLOCKING_PURPOSE = "child-block"
CURRENT_INVOLVEMENT_PURPOSE = "involvement-current"


@dataclass
class BuiltChild:
    """A child and its rows, sealed but unsaved, so bulk loaders can insert thousands at once."""

    data_key: DataKey
    child: Child
    carers: list[Carer] = field(default_factory=list)
    # (digest, hidden) of every blocking key: rows are made only when saved, so a bulk loader that
    # writes with COPY does not pay for ~20 model instances per child (bench/national).
    blocking_digests: list[tuple[int, bool]] = field(default_factory=list)
    involvements: list[Involvement] = field(default_factory=list)

    @property
    def blocking_keys(self) -> list[BlockingKeyEntry]:
        return [BlockingKeyEntry(child=self.child, digest=d, hidden=h) for d, h in self.blocking_digests]


def identifier_key(scheme: str, value: str) -> str:
    """The blocking key of a source identifier (NHS number etc.), compared without spaces or case.

    Feed linkage looks these up so a record carrying a known identifier finds its child whatever its
    names say; practitioner search never builds such a key (identifiers are not search criteria).
    """
    return f"id|{scheme}|{''.join(value.split()).upper()}"


def blocking_digests(details: ChildDetails) -> list[tuple[int, bool]]:
    """(blind-index digest, hidden) of every key a child is filed under: the one place they are made."""
    keys = [(key.value, key.hidden) for key in sorted(record_keys(details.identity()), key=lambda k: k.value)]
    keys += [
        (key, True)
        for key in sorted(
            {identifier_key(s.scheme, s.value) for s in details.source_identifiers if _names_someone(s)}
        )
    ]
    digests = blind_indexes(BLOCKING_PURPOSE, [value for value, _ in keys])
    return [(digest, hidden) for digest, (_, hidden) in zip(digests, keys, strict=True)]


def _names_someone(identifier: SourceIdentifier) -> bool:
    """Not a placeholder or never-issued NHS number: every record stored with "000 000 0000" would share
    one block, and an equal one is no evidence anyway (`matching.nhs`, the rule ingest refuses them by)."""
    return not (
        identifier.scheme == "nhs_number" and nhs_number_names_no_one("".join(identifier.value.split()))
    )


def blocking_entries(child: Child, details: ChildDetails) -> list[BlockingKeyEntry]:
    return [BlockingKeyEntry(child=child, digest=d, hidden=h) for d, h in blocking_digests(details)]


@dataclass(slots=True)
class SealedChild:
    """A new child as it is sealed and keyed, before any model exists: row ids, ciphertext by column, and
    blocking digests. `child_seal` is the one place these are made for a new record; `child_build` turns
    them into unsaved models, and the national loader (bench/national) straight into COPY rows, so the two
    cannot drift apart.
    """

    key: NewDataKey
    child_id: uuid.UUID
    sealed: dict[str, bytes]  # Child.SEALED columns
    carers: list[tuple[uuid.UUID, dict[str, bytes]]]  # (id, sealed columns), by position
    involvements: list[tuple[uuid.UUID, bool, dict[str, bytes]]]  # (id, ceased, sealed columns)
    blocking_digests: list[tuple[int, bool]]


CHILD_TABLE = Child._meta.db_table
CARER_TABLE = Carer._meta.db_table
INVOLVEMENT_TABLE = Involvement._meta.db_table


def child_seal(
    *,
    details: ChildDetails,
    carers: list[CarerDetails] | tuple[CarerDetails, ...] = (),
    involvements: list[InvolvementDetails] | tuple[InvolvementDetails, ...] = (),
    lead_involvement: int | None = None,
) -> SealedChild:
    """Seal a new child's fields and rows under a new data key, and make its blocking digests.

    `lead_involvement` is the position of the lead professional's involvement (its id is sealed in the
    child's row, so the involvements' ids are drawn first).
    """
    key = data_key_new()
    fields = cipher(key.dek)
    key_id = str(key.id)
    child_id = uuid.uuid4()
    involvement_ids = [uuid.uuid4() for _ in involvements]
    if lead_involvement is not None:
        details = replace(details, lead_professional_id=str(involvement_ids[lead_involvement]))

    def sealed(table: str, row_id: uuid.UUID, values: dict[str, Any]) -> dict[str, bytes]:
        return seal_row(fields, table=table, row_id=row_id, key_id=key_id, values=values)

    carer_rows = []
    for carer in carers:
        carer_id = uuid.uuid4()
        carer_rows.append((carer_id, sealed(CARER_TABLE, carer_id, carer.sealed_values())))
    involvement_rows = [
        (
            row_id,
            involvement.ended_on is not None,
            sealed(INVOLVEMENT_TABLE, row_id, involvement.sealed_values()),
        )
        for row_id, involvement in zip(involvement_ids, involvements, strict=True)
    ]
    return SealedChild(
        key=key,
        child_id=child_id,
        sealed=sealed(CHILD_TABLE, child_id, details.sealed_values()),
        carers=carer_rows,
        involvements=involvement_rows,
        blocking_digests=blocking_digests(details),
    )


def archive_age_check(archive_age: int) -> None:
    """No loader or service can keep a record beyond 25 (nor archive it before 18)."""
    if not ARCHIVE_AGE_DEFAULT <= archive_age <= ARCHIVE_AGE_LIMIT:
        raise ValueError(f"archive age must be {ARCHIVE_AGE_DEFAULT} to {ARCHIVE_AGE_LIMIT}")


def child_build(
    *,
    local_authority: Organisation,
    details: ChildDetails,
    carers: list[CarerDetails] | tuple[CarerDetails, ...] = (),
    shielded: bool = False,
    archive_age: int = ARCHIVE_AGE_DEFAULT,
    involvements: list[InvolvementDetails] | tuple[InvolvementDetails, ...] = (),
    lead_involvement: int | None = None,
) -> BuiltChild:
    """Seal a child and its rows without saving. Involvements built here are loaded, not recorded by
    anyone (recorded_by is empty); `lead_involvement` is the position of the lead professional's one.
    An archive age outside 18..25 is refused here too, so no loader can keep a record beyond 25.
    """
    archive_age_check(archive_age)
    sealed = child_seal(
        details=details, carers=carers, involvements=involvements, lead_involvement=lead_involvement
    )
    return built_from_sealed(
        sealed,
        local_authority=local_authority,
        index_number=index_number.generate(),
        shielded=shielded,
        archive_age=archive_age,
    )


def built_from_sealed(
    sealed: SealedChild, *, local_authority: Organisation, index_number: str, shielded: bool, archive_age: int
) -> BuiltChild:
    """The unsaved models of a sealed child (the ids and ciphertext are the ones sealed)."""
    key = sealed.key
    data_key = data_key_row(key)  # carries the DEK, so the insert can re-wrap it (KEK retired meanwhile)
    child = Child(
        id=sealed.child_id,
        index_number=index_number,
        local_authority=local_authority,
        data_key=data_key,
        shielded=shielded,
        archive_age=archive_age,
        **sealed.sealed,
    )
    carers = [
        Carer(id=carer_id, child=child, position=position, **columns)
        for position, (carer_id, columns) in enumerate(sealed.carers)
    ]
    involvements = [
        Involvement(id=involvement_id, child=child, ceased=ceased, **columns)
        for involvement_id, ceased, columns in sealed.involvements
    ]
    return BuiltChild(data_key, child, carers, sealed.blocking_digests, involvements)


def children_save_built(built: list[BuiltChild]) -> None:
    """Insert many built children in a few statements (used by the synthetic data loader)."""
    with transaction.atomic():
        DataKey.objects.bulk_create([b.data_key for b in built])
        Child.objects.bulk_create([b.child for b in built])
        Carer.objects.bulk_create([c for b in built for c in b.carers])
        BlockingKeyEntry.objects.bulk_create([k for b in built for k in b.blocking_keys])
        Involvement.objects.bulk_create([i for b in built for i in b.involvements])


def child_create(
    *,
    local_authority: Organisation,
    details: ChildDetails,
    carers: list[CarerDetails] | tuple[CarerDetails, ...] = (),
    shielded: bool = False,
    created_by: User | None = None,
) -> Child:
    built = child_build(local_authority=local_authority, details=details, carers=carers, shielded=shielded)
    if index_numbers_taken([built.child.index_number]):  # ~1% at national scale, or a retired number
        built.child.index_number = index_number_unused()
    with transaction.atomic():
        children_save_built([built])
        event_record(tag=AuditTag.ChildCreated, actor=created_by, child_id=built.child.pk)
    return built.child


def _reseal_child(
    child: Child, details: ChildDetails, columns: list[str], *, lead_changed: bool = False
) -> None:
    """Seal `columns` from `details` and save them. `lead_changed` (the lead professional named, cleared or
    replaced) counts the change in `Child.lead_version`, read as stored: every writer of the lead holds the
    child's row lock, so no change is counted twice or lost, whatever the caller's copy says."""
    sealer = Sealer(child.data_key)
    values = details.sealed_values()
    sealer.seal_all(child, {column: values[column] for column in columns})
    fields = [*columns, "updated_at"]
    if lead_changed:
        child.lead_version = Child.objects.values_list("lead_version", flat=True).get(pk=child.pk) + 1
        fields.append("lead_version")
    child.save(update_fields=fields)


class RecordingBasisMissing(Exception):
    """A sensitive service's involvement without a basis (`RecordingBasis`): consent, or reasonable cause
    to suspect significant harm. Nothing is written. The page never meets it (its form requires one)."""


class DuplicateInvolvement(Exception):
    """This practitioner already has a current involvement with this child, for this organisation and role."""


def involvement_current_key(*, child: Child, by: User, organisation_id: int, role: str) -> int:
    """A keyed hash of who, for which organisation, in which role: comparable, not reversible.

    Roles are compared ignoring case and spacing ("Class teacher" and "class  teacher" are the same).
    """
    role_normalised = " ".join(role.casefold().split())
    return blind_index(CURRENT_INVOLVEMENT_PURPOSE, f"{child.pk}|{by.pk}|{organisation_id}|{role_normalised}")


def _current_involvement_exists(current_key: int) -> bool:
    return Involvement.objects.filter(current_key=current_key, ceased=False).exists()


# Called with the child's row as stored, under its lock, in the writing transaction; raising undoes the
# change. The pages pass the policy's `require` for their action, judged again on the record as it is now.
# Given, the person making the change is judged again too, first (`person_judged_again`).
Recheck = Callable[[Child], None]


def person_judged_again(by: User, recheck: Recheck | None) -> None:
    """A page's change to a record (`recheck` given; here and in `coordination.services`): the person as
    they are now, under their account's lock, before any row of the record
    (`accounts.services.actor_able_locked`, in the order every writer takes them: accounts, organisations,
    then children). Suspended (by a colleague, or by the viewing rules from their
    own other tab), closed or no longer vetted since the page's check: `ActorCannotAct`, nothing written,
    and the page signs them out (`access.http.decider_ended_refused`). Without a page (a loader, a test, or
    a service calling this one inside its own transaction, its rows already locked) nobody is judged here."""
    if recheck is not None:
        actor_able_locked(by)


def involvement_record(
    *, child: Child, by: User, details: InvolvementDetails, recheck: Recheck | None = None
) -> Involvement:
    """Record `by`'s involvement, refusing a second current one in the same organisation and role.

    The check before saving gives the usual answer; the partial unique constraint on `current_key`
    settles two requests that race past it (the loser's insert fails and is reported the same way).

    `recheck` judges the record as stored, not as the page read it: the LA team may have shielded it, the
    nightly job archived it, a merge folded it away, since the page's own policy check (review, session 21:
    each was recorded all the same, a merge as a 500). The row is read afresh before sealing (one merged
    away raises `Child.DoesNotExist`, also when the merge commits between that read and the seal), and judged under its lock after the insert: the lock is taken there,
    where the match check (`coordination.recording`) takes it in its fixed order, never before, so two
    recordings about siblings cannot wait on each other in a circle.

    A look at the record (`oversight.misuse.INVOLVEMENT_LOOK_TAGS`): the viewing rules count it in the
    recording's transaction (`view_screen`), and may suspend `by` there.
    """
    sensitive = recording_sensitive(by=by, organisation_id=details.organisation_id)
    if sensitive and details.recording_basis not in RecordingBasis.ALL:
        raise RecordingBasisMissing  # before anything is read or written: the page asks, so never there
    current_key = involvement_current_key(
        child=child, by=by, organisation_id=details.organisation_id, role=details.role
    )
    if _current_involvement_exists(current_key):
        raise DuplicateInvolvement
    if sensitive and details.sensitive_category is None:
        # A sensitive service's involvement is hidden from ordinary practitioners whoever records it and
        # however (the page asks no category): its organisation decides, not the form.
        details = replace(details, sensitive_category=SensitiveCategory.UNSTATED)
    if not sensitive and details.recording_basis is not None:
        details = replace(details, recording_basis=None)  # asked of a sensitive service alone
    if recheck is not None:
        child = Child.objects.select_related("data_key", "local_authority").get(pk=child.pk)
    involvement = Involvement(child=child, recorded_by=by, current_key=current_key)
    try:
        with transaction.atomic():
            person_judged_again(by, recheck)
            # Judged again with the recorder's organisation held: one classed a sensitive service since
            # the first look (an administrator's edit, which locks it) writes nothing without a basis.
            if not sensitive and recording_sensitive(by=by, organisation_id=details.organisation_id):
                raise RecordingBasisMissing
            # Sealed in the saving transaction, under the key the child has now (`Sealer`).
            Sealer(child.data_key).seal_all(involvement, details.sealed_values())
            involvement.save()
            if recheck is not None:
                recheck(Child.objects.select_for_update().get(pk=child.pk))  # the child's row alone
            home_la_id = by.home_la_id
            event_record(
                tag=AuditTag.InvolvementRecorded,
                actor=by,
                child_id=child.pk,
                # Never the basis: the ledger is append-only and outlives the record and its key, and
                # "significant harm" tells of the child; it is sealed with the involvement.
                additional={
                    "involvement_id": str(involvement.pk),
                    "organisation_id": details.organisation_id,
                    **(
                        {OUTSIDE_HOME_LA: True}
                        if home_la_id is not None and child.local_authority_id != home_la_id
                        else {}
                    ),
                },
            )
            # A look at the record (the matches inbox names the child and who else works with it next):
            # counted by the viewing rules, which may suspend `by` (the next request is refused).
            view_screen(user=by)
    except IntegrityError as error:
        if _current_involvement_exists(current_key):
            raise DuplicateInvolvement from error
        raise
    except DecryptionFailed:
        # A merge that committed between the fresh read above and the first seal shredded the record's
        # key and deleted it: the record is gone (not found), not a server error.
        if not Child.objects.filter(pk=child.pk).exists():
            raise Child.DoesNotExist from None
        raise
    return involvement


def recording_sensitive(*, by: User, organisation_id: int) -> bool:
    """Is this recording a sensitive service's? The organisation it is recorded for, or the recorder's
    own, is one (`OrganisationKind.SENSITIVE`). The one test for both what the recording page asks
    (`children.forms.InvolvementForm`'s basis) and what `involvement_record` requires and hides."""
    organisations = {organisation_id, by.organisation_id} - {None}
    return Organisation.objects.filter(pk__in=organisations, kind=OrganisationKind.SENSITIVE).exists()


def child_rows_locked() -> QuerySet[Child]:
    """Child rows locked FOR UPDATE to the end of the transaction, each with its data key read but not
    locked (`of=self`): the key is locked as every writer locks it, FOR KEY SHARE on its first seal.
    Every writer that locks a child's row takes it through here.

    Locking the key FOR UPDATE too (review, session 21) deadlocked with a practitioner recording an
    involvement at the same moment: recording seals first (the key, FOR KEY SHARE) and then takes the
    child's row for the match check, so each held what the other waited for and one request failed.

    The key is read by a second statement after the lock (`prefetch_related`), not joined to the locked
    row: a key rotation holding the row points it at a new key, and PostgreSQL re-checks a waiting lock's
    row against the rows it joined before the wait, so a join returned no row at all (review, session 38:
    break-glass a server error, a shield refused as "merged into another"). The same holds for every
    locked row read with its key (clerical reviews, merges).
    """
    return Child.objects.select_for_update(of=("self",)).prefetch_related("data_key")


def _child_row_locked(child_id: Any) -> Child:
    return child_rows_locked().get(pk=child_id)


def practitioner_held(user_id: int) -> User | None:
    """Another person's account (a practitioner about to be named lead professional, say), held FOR KEY
    SHARE to the end of the transaction and read after the hold, with its organisation; None if it is gone.

    Taken after the child's row, so never FOR NO KEY UPDATE: that conflicts with the lock every decider
    takes on their own account first (`accounts.services.actor_able_locked`), and the practitioner raising
    a correction on this same record at that moment (their account, then the child's row) deadlocked with
    it. FOR KEY SHARE still waits for a suspension or a close in progress (they lock the row FOR UPDATE),
    which is then seen, and holds off one arriving until this transaction ends; their organisation is
    held likewise. SQLite (no row locks, one writer at a time) reads them only."""
    if not row_held(User, user_id, strength=Strength.KEY_SHARE):
        return None
    # Then their organisation, as every writer takes them (accounts before organisations): a close or a
    # de-accreditation of it (the administrator locks it FOR UPDATE) in progress is waited for and seen.
    organisation_id = User.objects.values_list("organisation_id", flat=True).get(pk=user_id)
    if organisation_id is not None:
        row_held(Organisation, organisation_id, strength=Strength.KEY_SHARE)
    return User.objects.select_related("organisation").get(pk=user_id)


class InvolvementAlreadyEnded(Exception):
    """Ended already (another tab, or a colleague): its end date and audit trail stay as they are."""


def involvement_cease(
    *, involvement: Involvement, by: User, ended_on: date, recheck: Recheck | None = None
) -> None:
    """End an involvement; if it was the lead professional, the record has none after it.

    The child's row is locked first and both the involvement and the lead professional read as stored,
    as `lead_professional_set` does: naming it lead and ending it, at once or from pages read before the
    other, never leave an ended involvement as lead professional. `recheck` (see `involvement_record`)
    judges the locked row before anything is written.
    """
    with transaction.atomic():
        person_judged_again(by, recheck)
        child = _child_row_locked(involvement.child_id)
        if recheck is not None:
            recheck(child)
        current = Involvement.objects.select_for_update().get(pk=involvement.pk)
        if current.child_id != child.pk:
            # Moved to another record since the page read it (an unmerge gives it back to the restored
            # record, under that record's key): not this record's to end, and sealed under this one's key
            # it could never be read again. The page answers as for a record merged away: not found.
            raise Involvement.DoesNotExist("the involvement is no longer on this record")
        if current.ceased:
            raise InvolvementAlreadyEnded
        sealer = Sealer(child.data_key)
        sealer.seal(current, "ended_on", ended_on.isoformat())
        current.ceased = True
        current.save(update_fields=["ended_on", "ceased"])
        involvement.ceased, involvement.ended_on = True, current.ended_on  # the caller's copy too
        details = child_details(child, sealer)
        if details.lead_professional_id == str(current.pk):
            details.lead_professional_id = None
            _reseal_child(child, details, ["lead_professional"], lead_changed=True)
        event_record(
            tag=AuditTag.InvolvementCeased,
            actor=by,
            child_id=child.pk,
            additional={"involvement_id": str(current.pk)},
        )


class LeadCannotAct(ValueError):
    """The involvement's practitioner may not use the service now (suspended, closed, not vetted)."""


def lead_professional_set(
    *,
    child: Child,
    by: User,
    involvement: Involvement | None,
    recheck: Recheck | None = None,
    may_lead: Callable[[User], bool] | None = None,
) -> None:
    """Name a current involvement as lead professional, or clear it (None); judged under the child's
    row lock from the involvement as stored (see `involvement_cease`), and the record by `recheck`
    (see `involvement_record`: a record shielded or archived since the page's check is not changed).

    `may_lead(practitioner)` (the policy's account checks, from the page) is asked again of the
    involvement's practitioner as stored, their row held (`practitioner_held`, FOR KEY SHARE: a
    suspension or closure takes it FOR UPDATE): one committed since the page offered them is seen
    (`LeadCannotAct`), and one arriving now waits for this save. An involvement with no account behind it
    has nothing to judge."""
    with transaction.atomic():
        person_judged_again(by, recheck)
        locked = _child_row_locked(child.pk)
        if recheck is not None:
            recheck(locked)
        if involvement is not None:
            current = Involvement.objects.filter(pk=involvement.pk).first()
            if current is None or current.child_id != child.pk or current.ceased:
                raise ValueError("the lead professional must be a current involvement with this child")
            if may_lead is not None and current.recorded_by_id is not None:
                recorder = practitioner_held(current.recorded_by_id)
                if recorder is None or not may_lead(recorder):
                    raise LeadCannotAct("the lead professional's practitioner may not use the service now")
        details = child_details(locked)
        was = details.lead_professional_id
        details.lead_professional_id = str(involvement.pk) if involvement else None
        _reseal_child(
            locked, details, ["lead_professional"], lead_changed=was != details.lead_professional_id
        )
        event_record(
            tag=AuditTag.LeadProfessionalSet,
            actor=by,
            child_id=child.pk,
            # `changed`: the same lead named again changes nothing (the figures count changes only).
            additional={
                "involvement_id": details.lead_professional_id,
                "changed": was != details.lead_professional_id,
            },
        )


def caf_flag_set(*, child: Child, by: User, completed: bool, recheck: Recheck | None = None) -> None:
    """Record whether a Common Assessment has been completed, judged on the record as stored: the row is
    read under its lock and given to `recheck` first (see `involvement_record`)."""
    with transaction.atomic():
        person_judged_again(by, recheck)
        locked = _child_row_locked(child.pk)
        if recheck is not None:
            recheck(locked)
        details = child_details(locked)
        was = details.caf_completed
        details.caf_completed = completed
        _reseal_child(locked, details, ["caf_completed"])
        event_record(
            tag=AuditTag.CafFlagSet,
            actor=by,
            child_id=child.pk,
            additional={"completed": completed, "changed": was != completed},
        )


@dataclass(frozen=True)
class LockedChild:
    """A child's row and its decrypted details, read under the row's lock in the current transaction."""

    row: Child
    details: ChildDetails


def _former_postcodes_kept(
    stored: Child, sealer: Sealer, details: ChildDetails, columns: list[str], *, address_was_wrong: bool
) -> tuple[ChildDetails, list[str]]:
    """With the address changing, keep the stored postcode as a former one (unless it was wrong).

    `stored` is the row as read under its lock, not the caller's copy: two updates in a row (or racing)
    each keep what was really there before them.
    """
    previous = (sealer.unseal(stored, "address") or {}).get("postcode")
    formers = former_postcodes_after_move(
        previous=None if address_was_wrong else previous,
        current=details.address.postcode,
        kept=unseal_column(sealer, stored, "former_postcodes") or [],
    )
    return replace(details, former_postcodes=formers), [*dict.fromkeys([*columns, "former_postcodes"])]


def child_details_update(
    *,
    child: Child,
    details: ChildDetails,
    columns: list[str],
    by: User | None,
    tag: AuditTag = AuditTag.ChildUpdated,
    address_was_wrong: bool = False,
    locked: LockedChild | None = None,
) -> None:
    """Replace some sealed columns of a child (a feed update, a clerical link, an LA team's address
    statement) and refile its keys; `tag` names who changed it in the audit log.

    `locked` is the row and its details as the caller read them under the row's lock in the same
    transaction (a feed update has just done so): given, the row is not read and decrypted again.

    Blocking keys are rebuilt from the new details in the same transaction, so search and linkage
    never see a name or postcode the record no longer holds (nor miss one it now does). A changed
    address keeps the previous postcode among the former ones (a practitioner may hold the old address),
    except when `address_was_wrong` (an accepted correction: the child never lived there). The audit
    event names the columns the caller changed; former postcodes follow from "address".
    """
    if not columns:
        return
    written = columns
    with transaction.atomic():
        # Only `columns` come from the caller; every other column, and so every key, is the record's as
        # stored now, read under its lock: a caller's copy may predate another change (a page loaded
        # before a colleague's correction), whose name the keys would otherwise lose.
        sealer = Sealer(child.data_key)
        if locked is None:
            stored = Child.objects.select_for_update().get(pk=child.pk)
            values = child_details(stored, sealer).sealed_values()
        else:
            stored, values = locked.row, locked.details.sealed_values()
        given = details.sealed_values()
        lead_was = values["lead_professional"]
        renamed = any(
            column in columns and given[column] != values[column] for column in ("given_names", "family_name")
        )
        values.update({column: given[column] for column in columns})
        details = ChildDetails.from_sealed_values(values)
        if "address" in columns:
            details, written = _former_postcodes_kept(
                stored, sealer, details, columns, address_was_wrong=address_was_wrong
            )
        # An unmerge clears a lead whose involvement goes back to the restored record.
        _reseal_child(child, details, written, lead_changed=values["lead_professional"] != lead_was)
        if renamed and stored.shielded:
            # The new name is what shielding keeps from whoever knew the old one: a search made before it
            # stops naming the child to its maker from a kept id (`access.policy.has_found_by_search`).
            child.found_anew_after = stored.found_anew_after = timezone.now()
            Child.objects.filter(pk=child.pk).update(found_anew_after=child.found_anew_after)
        BlockingKeyEntry.objects.filter(child=child).delete()
        BlockingKeyEntry.objects.bulk_create(blocking_entries(child, details))
        # `found_anew`: the misuse rules stop taking an earlier search as explaining a later view by its maker
        # (`oversight.misuse`), as the policy stops it naming the child (in clear: a flag, naming nobody).
        additional: dict[str, object] = {"columns": sorted(columns)}
        if renamed and stored.shielded:
            additional["found_anew"] = True
        event_record(tag=tag, actor=by, child_id=child.pk, additional=additional)
