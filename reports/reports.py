"""Audit reports for the LA team and the national auditor: reads only, keyword-only, actor first.

Scope (access.policy decides who may ask; these selectors decide what the answer may contain):
- LA team: events about its own LA's children (whoever acted), or by staff of its own LA's organisations
  (the organisation recorded on the event, i.e. where the person worked at the time), but not what a
  national auditor or system administrator attached to one of them did in that role (`_in_scope`).
- National auditor: every event, but rows carry index numbers only: these selectors never decrypt a
  child's record for the auditor, so no template can show a name by mistake.
- Purpose details and override reasons (sealed under the child's key in the event) are unsealed only
  for the LA team of that child's LA.

This module sits above the audit foundation (models, services): it reads `children` and `accounts`
models to turn ids into index numbers and organisation names, and `linkage`'s record of merges to find
every id a child's events are filed under. The foundation still imports no
domain app.

Unexplained accesses are record views with no earlier search by the same person that returned the
child (`SearchAppearance`, a derived index of the searches' `result_ids`, see audit.models) and no
involvement recorded by that person for the child (at any time: a view followed by recording one's
involvement is the normal journey). Both tests are `NOT EXISTS` probes on indexes, so the report costs
one index probe pair per candidate view on SQLite and PostgreSQL alike, with no JSON scanning.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any
from uuid import UUID

from django.db.models import CharField, Count, F, Q, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import In
from django.utils import timezone

from access.permissions import Permission
from access.policy import NATIONALLY_REVIEWED_ROLES, decide
from accounts.models import Organisation, Role, User
from audit.models import AuditEvent, SearchAppearance
from audit.tags import AuditTag, tag_label
from children.merged_away import RecordRemoved, opened_unless_merged_away
from children.models import Child
from children.purposes import PURPOSE_LABELS
from disclosure.models import LawfulBasis
from lifecycle.shielding import SHIELD_REASON_CONTEXT
from lifecycle.viewing import ARCHIVE_PURPOSE_LABELS, STATUTORY_REASON_LABELS
from linkage.merging import MERGE_REASON_CONTEXT, UNMERGE_REASON_CONTEXT
from linkage.models import CarriedIdentity, ChildMerge
from linkage.retention import carried_identities, carriers_of
from oversight.misuse import unexplained
from vault.sealing import note_unseal

PAGE_SIZE = 50
DEFAULT_SUMMARY_DAYS = 30


def role_at_event(event: AuditEvent, actor: User | None) -> str:
    """The role recorded with the event; events written before roles were recorded fall back to today's."""
    recorded = event.additional.get("actor_role")
    if recorded in Role.values:
        return str(Role(recorded).label)
    return actor.get_role_display() if actor else ""


@dataclass(frozen=True)
class ReportScope:
    """What one actor's reports may contain."""

    national: bool
    local_authority_id: int | None

    def covers(self, child: Child | None) -> bool:
        """The child's own report is within this reader's scope (the national auditor's is national)."""
        return child is not None and (
            self.national
            or (self.local_authority_id is not None and child.local_authority_id == self.local_authority_id)
        )

    def may_unseal_for(self, child: Child | None) -> bool:
        """Notes sealed under the child's key: its own LA team only, never the national auditor."""
        return not self.national and self.covers(child)


def report_scope(*, fetched_by: User) -> ReportScope:
    return ReportScope(
        national=fetched_by.role == Role.NATIONAL_AUDITOR, local_authority_id=fetched_by.home_la_id
    )


def la_organisation_ids(local_authority_id: int) -> QuerySet[Organisation, int]:
    return Organisation.objects.filter(
        Q(pk=local_authority_id) | Q(local_authority_id=local_authority_id)
    ).values_list("pk", flat=True)


def _acted_nationally() -> Q:
    """The event was done in a nationally reviewed role (`access.policy.NATIONALLY_REVIEWED_ROLES`).

    The role recorded with the event, as `role_at_event` reads it (an event written before roles were
    recorded: the account's role today). Coalesced to "" so that NOT(...) is never NULL: an event with no
    actor is no national account's.
    """
    role = Coalesce(
        KeyTextTransform("actor_role", "additional"), F("actor__role"), Value(""), output_field=CharField()
    )
    return Q(In(role, sorted(NATIONALLY_REVIEWED_ROLES)))


def _in_scope(events: QuerySet[AuditEvent], scope: ReportScope) -> QuerySet[AuditEvent]:
    """The LA team's scope: every event about its own children, whoever acted, under any id they carry on
    (as the child's access report and the subject access report list them), and what its own
    organisations' people did, but not what a national auditor or system administrator attached to one
    of them did in that role: their work covers other LAs' children and accounts, and is reviewed
    nationally (as their activity report is refused).
    The one scope of every LA-wide report: the activity summary, unexplained views, a person's activity."""
    if scope.national:
        return events
    if scope.local_authority_id is None:
        return events.none()
    about_its_children = events.filter(child_id__in=_la_record_ids(scope.local_authority_id))
    # The LA's organisations as a list (hundreds, not millions): the planner then reads each one's events
    # of the period from `audit_event_org_time`, where a subquery had it test every event of the period.
    organisations = list(la_organisation_ids(scope.local_authority_id))
    by_its_people = events.filter(Q(organisation_id__in=organisations), ~_acted_nationally())
    # Each part read through its own index (`child_id`; `audit_event_org_time`), joined by event id: as
    # one OR, every event of the period nationally was read and tested row by row.
    in_scope = about_its_children.order_by().values("pk").union(by_its_people.order_by().values("pk"))
    return events.filter(pk__in=in_scope)


def _la_record_ids(local_authority_id: int) -> QuerySet[Any, Any]:
    """Every id the LA's records' events are filed under: their own, and every identity they carry on
    (`CarriedIdentity`, as `record_ids` reads them for one child). A view of a record later merged away
    stays filed under its old id: asked only of the records still there, it left the LA-wide reports
    though it is still on the survivor's own access report."""
    children = Child.objects.filter(local_authority_id=local_authority_id).order_by().values("pk")
    carried = CarriedIdentity.objects.filter(carrier_id__in=children).order_by().values("identity_id")
    return children.union(carried)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _in_period(
    events: QuerySet[AuditEvent], date_from: date | None, date_to: date | None
) -> QuerySet[AuditEvent]:
    """Whole local days, as a half-open range on the indexed timestamp (no per-row date function)."""
    if date_from is not None:
        events = events.filter(occurred_at__gte=_day_start(date_from))
    if date_to is not None:
        events = events.filter(occurred_at__lt=_day_start(date_to + timedelta(days=1)))
    return events


def user_activity(
    *, subject: User, fetched_by: User, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[AuditEvent]:
    """Everything one person did within the reader's scope, newest first.

    The policy checked that `subject` is in the reader's LA today; scope is still where the person worked
    when they acted, so a person who moved LA shows the new LA team nothing done for the old one.
    """
    events = _in_scope(AuditEvent.objects.filter(actor=subject), report_scope(fetched_by=fetched_by))
    return _in_period(events, date_from, date_to).order_by("-id")


def record_ids(child: Child) -> list[Any]:
    """The ids the child's events are filed under: its own, and every identity it carries on.

    A merge moves the duplicate's rows but not its audit trail, which stays under the duplicate's id.
    The merges in place alone lose the trail: a merge's row is deleted with its survivor when that is
    merged away in turn (first -> middle -> last), and an unmerge gives the record back under a new id.
    `CarriedIdentity` keeps both (the merges in place are read too, for a merge made before it)."""
    merged = ChildMerge.objects.filter(survivor_id=child.pk, unmerged_at__isnull=True)
    carried = carried_identities(child.pk)
    return [*carried, *(pk for pk in merged.values_list("duplicate_id", flat=True) if pk not in carried)]


def child_access(
    *, child: Child, fetched_by: User, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[AuditEvent]:
    """Every event about one child, under any record it carries on (`record_ids`), and every search that
    returned it (`SearchAppearance`: a search names no child of its own, but showed this one's name, date
    of birth and LA, as the subject access report lists it), newest first.
    The policy has already checked the child's LA."""
    events = AuditEvent.objects.filter(pk__in=_child_event_ids(record_ids(child)))
    return _in_period(events, date_from, date_to).order_by("-id")


def _child_event_ids(ids: list[Any]) -> QuerySet[Any, Any]:
    """The ids of the events filed under `ids` and of the searches that returned any of them, as one
    subquery: each part read through its own index (`child_id`; `audit_appearance_lookup`), then joined.
    Asked as `child_id IN ids OR id IN (searches)`, PostgreSQL has no index path for the OR, so the page
    walked the whole log backwards from its newest event and the Paginator's count scanned it whole."""
    filed = AuditEvent.objects.filter(child_id__in=ids).order_by().values("pk")
    found_by = SearchAppearance.objects.filter(child_id__in=ids).order_by().values("event_id")
    return filed.union(found_by)


def unexplained_views(
    *, fetched_by: User, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[AuditEvent]:
    """Record views with no earlier search returning the child, no earlier involvement by the same person, and
    not opened from an alert the person's LA team was acting on."""
    views = _in_scope(
        _in_period(AuditEvent.objects.all(), date_from, date_to), report_scope(fetched_by=fetched_by)
    )
    return unexplained(views).order_by("-id")


def activity_in_scope(
    *, fetched_by: User, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[AuditEvent]:
    """All events the actor may review: the base of the default summary export."""
    return _in_scope(
        _in_period(AuditEvent.objects.all(), date_from, date_to), report_scope(fetched_by=fetched_by)
    )


@dataclass(frozen=True)
class SummaryRow:
    day: date
    tag: str
    organisation: str
    count: int


# The most lines one summary download may hold (about 30 MB of CSV). Nationally a line is one organisation's
# events of one kind on one day: tens of thousands of organisations a day, so a month of England is
# millions of lines; the page asks for a shorter period instead of building them.
SUMMARY_MOST_LINES = 500_000
# Lines read from the database (and organisations named) at a time.
SUMMARY_CHUNK = 2_000


class SummaryTooLarge(Exception):
    """The summary would hold more than `most` lines: it is not built."""

    def __init__(self, most: int) -> None:
        super().__init__(f"more than {most} lines")
        self.most = most


def event_summary(*, events: QuerySet[AuditEvent]) -> Iterator[SummaryRow]:
    """Counts by local day, tag and organisation: the only shape in which audit data leaves the service.

    Read and yielded a chunk at a time, each chunk's organisations named in one query: the whole summary
    was read into memory at once (several gigabytes for a national month). The database is asked for one
    line more than `SUMMARY_MOST_LINES` and no more; reaching that line raises `SummaryTooLarge`, so the
    caller writes nothing out.
    """
    most, chunk = SUMMARY_MOST_LINES, SUMMARY_CHUNK
    grouped = (
        events.order_by()
        .annotate(day=TruncDate("occurred_at"))
        .values("day", "tag", "organisation_id")
        .annotate(count=Count("id"))
        .order_by("day", "tag", "organisation_id")
    )[: most + 1]
    lines = grouped.iterator(chunk_size=chunk)
    names: dict[int, str] = {}
    read = 0
    while rows := list(islice(lines, chunk)):
        read += len(rows)
        if read > most:
            raise SummaryTooLarge(most)
        wanted = {r["organisation_id"] for r in rows if r["organisation_id"]} - set(names)
        names |= {pk: str(organisation) for pk, organisation in Organisation.objects.in_bulk(wanted).items()}
        for r in rows:
            yield SummaryRow(
                day=r["day"],
                tag=r["tag"],
                organisation=names.get(r["organisation_id"], "None") if r["organisation_id"] else "None",
                count=r["count"],
            )


@dataclass(frozen=True)
class ReportRow:
    """One event as a report shows it: ids, codes and labels; a purpose detail only when allowed."""

    event_id: int
    occurred_at: datetime
    tag: str
    label: str
    actor: User | None
    organisation: Organisation | None
    role: str
    child_id: UUID | None
    index_number: str | None
    # Whether the row may link to the child's own report: only a child in the reader's scope, so a row
    # about another LA's child (viewed by this LA's staff) never hands the reader that child's id.
    child_linked: bool
    # Whether the actor's name may link to their activity report: only where the reader may open it (an
    # LA team is refused another LA's staff and the national accounts attached to its own LA).
    actor_linked: bool
    purpose: str
    detail: str
    note: str


# Events whose `reason_sealed` is sealed under the child's own key, and the context it was sealed for.
# Opening them all as a break-glass reason failed, a server error for the whole report of any child shielded
# or merged; leaving the merge's and unmerge's out hid from the team why it had joined or parted records.
_REASON_CONTEXTS: dict[str, str] = {
    AuditTag.ShieldOverridden: "override",
    AuditTag.ShieldApplied: SHIELD_REASON_CONTEXT,
    AuditTag.ShieldLifted: SHIELD_REASON_CONTEXT,
    AuditTag.ChildMerged: MERGE_REASON_CONTEXT,
    AuditTag.ChildUnmerged: UNMERGE_REASON_CONTEXT,
}


def _unsealed(child: Child, event: AuditEvent) -> str:
    """The free text typed with a view, an override or a shielding change; read only for the owning LA
    team."""
    additional = event.additional
    if sealed := additional.get("purpose_detail_sealed"):
        return note_unseal(child.data_key, context="purpose", sealed=sealed)
    context = _REASON_CONTEXTS.get(event.tag)
    if context and (sealed := additional.get("reason_sealed")):
        return note_unseal(child.data_key, context=context, sealed=sealed)
    return ""


def _unsealed_if_still_there(child: Child, event: AuditEvent) -> str:
    """`_unsealed`, or "" when a merge (or a purge) deleted the record and shredded its key after the page
    loaded it: a moment later the record would not be loaded and its notes not opened (they died with its
    key), so the row is listed without them, never a server error. So is a row of a record still there
    whose key was shredded by a purge (or merge) that then failed (`RecordRemoved`): its notes are gone as
    surely. Any other failure to open a key is a real fault, raised as it was (`children.merged_away`)."""
    try:
        opened = opened_unless_merged_away(child.pk, lambda: _unsealed(child, event))
    except RecordRemoved:
        return ""
    return "" if opened is None else opened


def _note(event: AuditEvent) -> str:
    """What a reviewer needs besides the tag, from ids and codes only (never search criteria)."""
    extra = event.additional
    if event.tag == AuditTag.SearchPerformed:
        returned = len(extra.get("result_ids") or [])
        if extra.get("close_calls"):
            return "Several possible matches: none shown"
        if extra.get("too_many"):
            return "Too many matches: none shown"
        if extra.get("nearby_dates_unchecked"):
            return "None on the date typed, too many on nearby dates: none shown"
        if extra.get("near_miss"):
            return "No close match: none shown"
        return f"{returned} returned"
    if event.tag == AuditTag.AccessDenied:
        return f"{extra.get('action', '')}: {extra.get('reason', '')}"
    if event.tag == AuditTag.RecordViewed and extra.get("restricted_view"):
        return "Shielded: restricted view"
    if event.tag in (AuditTag.ReportViewed, AuditTag.ReportExported):
        return str(extra.get("report", ""))
    return ""


def _purpose(event: AuditEvent) -> str:
    """The stated purpose in the words the person chose from. An archived record is opened for the archive's
    own purposes, and after its first year only on a statutory reason, which the review needs to see: read
    against the record page's list alone, the purpose showed as its code and the reason not at all. A
    disclosure's purpose is its lawful basis."""
    purpose = str(event.additional.get("purpose") or "")
    downloaded = event.tag == AuditTag.DisclosureExportDownloaded
    if downloaded:  # its lawful basis, as the subject access report says
        basis = event.additional.get("lawful_basis", "")
        return f"Disclosure: {LawfulBasis(basis).label}" if basis in LawfulBasis.values else "Disclosure"
    if event.tag != AuditTag.ArchivedRecordViewed:
        return PURPOSE_LABELS.get(purpose, purpose)
    words = ARCHIVE_PURPOSE_LABELS.get(purpose, purpose)
    if reason := event.additional.get("statutory_reason"):
        words += f". Statutory reason: {STATUTORY_REASON_LABELS.get(reason, reason)}"
    return words


def _carriers(record_ids: set[UUID]) -> dict[UUID, Child]:
    """For records no longer there, the live child that carries each on after a merge
    (`linkage.retention.carriers_of`); a purged record has none."""
    carried = carriers_of(record_ids)
    live = Child.objects.in_bulk(set(carried.values()))
    return {record: live[carrier] for record, carrier in carried.items() if carrier in live}


def _unmatched_lookup(event: AuditEvent) -> bool:
    return event.tag == AuditTag.ReportLookup and not event.additional.get("found")


def report_rows(*, events: Iterable[AuditEvent], fetched_by: User) -> list[ReportRow]:
    """Turn one page of events into rows, with the lookups done in bulk for the page."""
    page = list(events)
    scope = report_scope(fetched_by=fetched_by)
    actors = User.objects.select_related("organisation").in_bulk({e.actor_id for e in page if e.actor_id})
    linkable = {
        pk
        for pk, actor in actors.items()
        if decide(actor=fetched_by, action=Permission.AuditReportView, subject=actor)
    }
    organisations = Organisation.objects.in_bulk({e.organisation_id for e in page if e.organisation_id})
    children = Child.objects.select_related("data_key").in_bulk({e.child_id for e in page if e.child_id})
    carriers = _carriers({e.child_id for e in page if e.child_id and e.child_id not in children})
    rows = []
    for event in page:
        actor = actors.get(event.actor_id) if event.actor_id else None
        own = children.get(event.child_id) if event.child_id else None
        # A record merged away is named by the child carrying it on (whose report lists the event); its
        # own notes were sealed under its own key, shredded with it, so only a record's own are opened.
        child = own or (carriers.get(event.child_id) if event.child_id else None)
        if _unmatched_lookup(event) and not scope.covers(child):
            # A look-up whose match was outside the looker's scope answered "no record": its row answers
            # the same, or the activity report would name the child the look-up page refused to.
            event_child_id, own, child = None, None, None
        else:
            event_child_id = event.child_id
        rows.append(
            ReportRow(
                event_id=event.pk,
                occurred_at=event.occurred_at,
                tag=event.tag,
                label=tag_label(event.tag),
                actor=actor,
                organisation=organisations.get(event.organisation_id) if event.organisation_id else None,
                role=role_at_event(event, actor),
                child_id=child.pk if child else event_child_id,
                index_number=child.index_number if child else ("Removed record" if event_child_id else None),
                child_linked=scope.covers(child),
                actor_linked=actor is not None and actor.pk in linkable,
                purpose=_purpose(event),
                detail=_unsealed_if_still_there(own, event) if own and scope.may_unseal_for(own) else "",
                note=_note(event),
            )
        )
    return rows


USER_MATCH_LIMIT = 20


def user_lookup(*, text: str, fetched_by: User) -> list[User]:
    """Accounts within the reader's scope whose username is `text`, or whose username or name contains it
    (every word of a name must match a first or last name), exact username first; at most
    USER_MATCH_LIMIT + 1 (so the page can say there are more).

    The scope is applied before the limit: an LA team's own staff are never crowded out of the answer by
    other LAs' accounts that share their name, nor by the national accounts attached to its LA (the
    caller still asks the policy of each one)."""
    text = text.strip()
    scope = report_scope(fetched_by=fetched_by)
    if not text:
        return []
    by_name = Q()
    for word in text.split():
        by_name &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    candidates = User.objects.select_related("organisation").filter(Q(username__icontains=text) | by_name)
    if not scope.national:
        if scope.local_authority_id is None:
            return []
        # Nor the national accounts attached to the LA, which it may not review: kept, an exact username
        # of one hid every partial match of the team's own staff, and they took places in the limit.
        candidates = candidates.filter(
            organisation_id__in=la_organisation_ids(scope.local_authority_id)
        ).exclude(role__in=sorted(NATIONALLY_REVIEWED_ROLES))
    matches = candidates.order_by("last_name", "first_name", "username")[: USER_MATCH_LIMIT + 1]
    exact = [u for u in matches if u.username.lower() == text.lower()]
    return exact or list(matches)


def child_lookup(*, index_number: str) -> Child | None:
    return Child.objects.filter(index_number=index_number.strip().replace(" ", "")).first()
