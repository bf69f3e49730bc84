"""The organisation directory: created, changed and closed by the system administrator, each audited.

An organisation is never deleted: the involvements its staff recorded and the audit of what they did
keep pointing at it. Closing it dates it (`closed_on`); from that day the policy refuses its staff.
The audit events name the organisation and which fields changed. Of the fields that decide who may work
(its accreditation date, closing date, LA and kind: `AUDITED_VALUES`) they also hold the values before and
after, so the log tells a cut-off from a grant and says which LA's team staff were moved to; none of these
is personal data. The other fields' values stay out (the directory itself holds the current ones).
"""

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, Role, User
from audit.services import event_record
from audit.tags import AuditTag
from rowlocks.held import Strength, row_held

# What the administrator may set on an organisation (everything but its closing date).
DIRECTORY_FIELDS = (
    "kind",
    "name",
    "code",
    "local_authority",
    "address",
    "phone",
    "email",
    "accredited_on",
    "working_hours_start",
    "working_hours_end",
)


# The fields whose values an audit event holds before and after (as `Organisation` columns), each under
# the directory field that sets it: an accreditation taken or given, a closing, a move to another LA's team,
# a change of kind (which decides, among other things, whether its staff may hold the override).
AUDITED_VALUES = {
    "accredited_on": "accredited_on",
    "closed_on": "closed_on",
    "local_authority": "local_authority_id",
    "kind": "kind",
}


def _audited_values(organisation: Organisation, changed: list[str]) -> dict[str, Any]:
    """The audited values (`AUDITED_VALUES`) among `changed`, as `organisation` holds them now: dates as
    ISO strings, the LA as its id, None as None."""
    values: dict[str, Any] = {}
    for field in sorted(changed):
        column = AUDITED_VALUES.get(field)
        if column is not None:
            value = getattr(organisation, column)
            values[column] = value.isoformat() if isinstance(value, date) else value
    return values


def _before_and_after(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The event's `before` and `after`, or nothing when no audited field changed (a change of phone number
    names "phone" only)."""
    return {"before": before, "after": after} if before or after else {}


@dataclass(frozen=True)
class OrganisationDetails:
    kind: str
    name: str
    code: str
    local_authority: Organisation | None
    address: str
    phone: str
    email: str
    accredited_on: date | None
    working_hours_start: time | None
    working_hours_end: time | None

    def as_fields(self) -> dict[str, Any]:
        # An LA belongs to itself and a national body to no LA: neither keeps a parent LA.
        parentless = self.kind in (OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.NATIONAL)
        fields = {name: getattr(self, name) for name in DIRECTORY_FIELDS}
        fields["local_authority"] = None if parentless else self.local_authority
        return fields


def organisations_find(*, kind: str = "", name: str = "") -> QuerySet[Organisation]:
    """The directory, optionally of one kind and with a name containing `name` (any case)."""
    found = Organisation.objects.select_related("local_authority").order_by("name")
    if kind:
        found = found.filter(kind=kind)
    if name.strip():
        found = found.filter(name__icontains=name.strip())
    return found


def open_organisations() -> QuerySet[Organisation]:
    """Organisations not closed (or closing only on a later day)."""
    today = timezone.localdate()
    return Organisation.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=today))


class OrganisationCodeTaken(Exception):
    """Another organisation took the code between the form's check and the write (the code is unique)."""


def _code_taken(code: str, *, besides: int | None) -> bool:
    taken = Organisation.objects.filter(code__iexact=code)  # codes are unique ignoring case
    return (taken.exclude(pk=besides) if besides is not None else taken).exists()


def organisation_create(*, by: User, details: OrganisationDetails) -> Organisation:
    """Add an entry. Raises `OrganisationCodeTaken` when a colleague added the same code meanwhile."""
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(**details.as_fields())
            event_record(
                tag=AuditTag.OrganisationCreated,
                actor=by,
                additional={"organisation_id": organisation.pk, "kind": organisation.kind},
            )
    except IntegrityError:
        if _code_taken(details.code, besides=None):
            raise OrganisationCodeTaken from None
        raise
    return organisation


def organisation_update(*, organisation: Organisation, by: User, details: OrganisationDetails) -> list[str]:
    """Change what differs; audit which fields changed. Nothing changed writes nothing.

    Raises `OrganisationCodeTaken` (the entry unchanged) when another organisation took the new code
    meanwhile."""
    new = details.as_fields()
    changed = [name for name, value in new.items() if getattr(organisation, name) != value]
    if not changed:
        return []
    before = _audited_values(organisation, changed)
    try:
        with transaction.atomic():
            for name in changed:
                setattr(organisation, name, new[name])
            organisation.save(update_fields=changed)
            event_record(
                tag=AuditTag.OrganisationUpdated,
                actor=by,
                additional={
                    "organisation_id": organisation.pk,
                    "changed": sorted(changed),
                    **_before_and_after(before, _audited_values(organisation, changed)),
                },
            )
    except IntegrityError:
        organisation.refresh_from_db()
        if _code_taken(details.code, besides=organisation.pk):
            raise OrganisationCodeTaken from None
        raise
    return changed


@dataclass(frozen=True)
class ClosingImpact:
    """What closing an organisation touches, told to the administrator before they confirm."""

    active_accounts: int
    current_involvements: int
    open_member_organisations: int


def closing_impact(organisation: Organisation, *, current_involvements: int) -> ClosingImpact:
    """`current_involvements` is counted by the caller (children sits above accounts)."""
    members = open_organisations().filter(local_authority=organisation).count()
    return ClosingImpact(
        active_accounts=User.objects.filter(organisation=organisation, is_active=True).count(),
        current_involvements=current_involvements,
        open_member_organisations=members,
    )


def organisation_close(*, organisation: Organisation, by: User) -> None:
    """Close from today, keeping every row: its accounts, their history and its staff's involvements."""
    with transaction.atomic():
        before = _audited_values(organisation, ["closed_on"])
        organisation.closed_on = timezone.localdate()
        organisation.save(update_fields=["closed_on"])
        event_record(
            tag=AuditTag.OrganisationClosed,
            actor=by,
            additional={
                "organisation_id": organisation.pk,
                "active_accounts": User.objects.filter(organisation=organisation, is_active=True).count(),
                **_before_and_after(before, _audited_values(organisation, ["closed_on"])),
            },
        )


def organisation_closed_on_held(organisation_id: int) -> date | None:
    """The organisation's closing date as committed now, its row held until the transaction ends, for a
    writer about to put something in it (a feed creating a child in an LA, a transfer accepted into one).

    An administrator closing an organisation locks its row FOR UPDATE, then counts what is allocated to
    it as committed and refuses while anything is (`administration.organisations`); a write not yet
    committed is not counted, so the writers must refuse a closed organisation themselves. FOR KEY SHARE
    (PostgreSQL; what the new row's foreign key takes at commit anyway) waits for a close in progress,
    and a close then waits for the writer to commit and counts what it put there. Writers into the same
    organisation do not hold each other up. SQLite serialises every writer already.
    """
    row_held(Organisation, organisation_id, strength=Strength.KEY_SHARE)
    # Read after the hold: a close (FOR UPDATE) committed before it is seen, and none can start until
    # this transaction ends.
    return Organisation.objects.values_list("closed_on", flat=True).get(pk=organisation_id)


def la_team_of(local_authority_id: int) -> QuerySet[User]:
    """LA team accounts whose home LA is this one (the LA's own organisation, or an organisation of the
    LA): the people to ask the policy about before telling an LA's team anything (a brokering email, an
    alert). Narrows by role and LA only; whether each may be told is the policy's."""
    return (
        User.objects.filter(role=Role.LA_TEAM)
        .filter(
            Q(organisation_id=local_authority_id) | Q(organisation__local_authority_id=local_authority_id)
        )
        .select_related("organisation")
        .order_by("pk")
    )
