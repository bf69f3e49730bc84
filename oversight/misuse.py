"""Acting on misuse rules: after each search and record view, alert the LA team, and suspend if need be.

Why count from the audit log rather than a cache counter (as `accounts.ratelimit` does):
- The log already holds every search and view (written in the same transaction just before these
  checks run), so there is no second source of truth to drift, and an alert can be re-derived from
  the verified log by anyone reviewing it.
- A true rolling hour: the cache limiters use fixed windows, which a careful user could straddle
  (29 views at 10:59, 29 more at 11:01). "Distinct children" needs a set, which a counter cannot keep.
- A cache flush, eviction or a restarted Redis cannot reset the count.
- Cost: one statement of four `COUNT(DISTINCT child_id)` per record view over the (actor,
  occurred_at) index, touching only this user's views of the last day (the sustained-browsing rule's
  window; the hourly counts filter the same rows), which the thresholds keep to a few hundred at most.
  The refined-search count runs only after a search that returned "refine your search". Plain
  ORM filters (a JSON key lookup on a boolean) behave the same on SQLite and PostgreSQL.

Alerts are raised for the LA team of the user's own LA (their organisation's LA), at most once per
rule per user per rolling hour (a day for sustained browsing, a week for exports), so a burst does not
bury the queue. Every signal is audited as `MisuseSuspected` with the rule name and ids or counts only:
never the searched name or anything about a child.

Refusals are screened too (`refusal_screen`, called by the refusal pages right after the refusal's
event, in its transaction): ids probed under the search limit (made-up ids, kept ids of records archived
or closed, refused break-glass on a child: the refusals of `LOOKUP_REFUSALS`) are counted in a rolling hour (`oversight.rules.REFUSED_LOOKUPS`),
and a try at a record closed for a new identity alerts the LA team holding it at once.

Each screening first locks the user's row (`_screening_lock`), held to commit: without it, views or
searches made at the same moment (several tabs or sessions) each counted in their own transaction and
saw none of the others' uncommitted events, so a burst past the hard threshold escaped suspension and
raised one alert per request. The lock is its own statement, before the counts: a count statement that
waited for the lock itself would still read the snapshot taken before it waited. The lock costs one
more short statement per screening, and waits only for the same user's other requests.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.home_postcode import home_postcode_token
from accounts.models import NATIONALLY_MANAGED_ROLES, Organisation, Role, User
from accounts.services import account_suspend
from audit.models import AuditEvent, SearchAppearance
from audit.services import event_record
from audit.tags import AuditTag
from oversight.models import Alert, AlertKind
from oversight.rules import (
    REFUSED_LOOKUPS,
    THROTTLED_MINUTE_WEIGHT,
    Rule,
    Thresholds,
    Verdict,
    WorkingHours,
    shares_address,
    shares_family_name,
    volume_verdict,
    within_working_hours,
)
from oversight.services import alert_raise
from rowlocks.held import Strength, row_held

WINDOW = timedelta(hours=1)
ALERT_KIND_BY_RULE = {
    Rule.OWN_SURNAME: AlertKind.OWN_SURNAME_SEARCH,
    Rule.OWN_ADDRESS: AlertKind.OWN_ADDRESS_SEARCH,
    Rule.BULK_VIEWING: AlertKind.BULK_VIEWING,
    Rule.BULK_REFINED_SEARCHES: AlertKind.BULK_REFINED_SEARCHES,
    Rule.BULK_SEARCHING: AlertKind.BULK_SEARCHING,
    Rule.BULK_CHILDREN_FOUND: AlertKind.BULK_CHILDREN_FOUND,
    Rule.UNEXPLAINED_VIEWS: AlertKind.UNEXPLAINED_VIEWS,
    Rule.VIEWS_OUTSIDE_LA: AlertKind.VIEWS_OUTSIDE_LA,
    Rule.OUT_OF_HOURS: AlertKind.OUT_OF_HOURS,
    Rule.BULK_EXPORTED_CHILDREN: AlertKind.BULK_EXPORTED_CHILDREN,
    Rule.SUSTAINED_BROWSING: AlertKind.SUSTAINED_BROWSING,
    Rule.REFUSED_LOOKUPS: AlertKind.REFUSED_LOOKUPS,
    Rule.CLOSED_RECORD_TRIED: AlertKind.CLOSED_RECORD_TRIED,
}
# The sustained-browsing rule's window: the hourly rules let 29 records an hour, all day, go unnoticed.
DAY = timedelta(hours=24)
# Disclosure exports are rare and slow (a colleague approves each), so their rule looks at a week.
EXPORT_WINDOW = timedelta(days=7)
# Alert above this many times the per-export cap of distinct children requested by one person in the week.
EXPORT_CAP_FACTOR = 2
# Pages other than the record page that decrypt whole records and name the children they show, one
# event per child shown: an archived record (`lifecycle.viewing`), a merge comparison (two children)
# and a clerical review (each candidate). Each screens the look (`view_screen`) as a record view does;
# none was counted before, so a data manager or an LA team member could read record after record there
# unseen. Never "unexplained" (that rule asks for a `RecordViewed` event): none follows a search by
# design (one exact index number, two, or the matching engine's queue).
RECORD_LOOK_TAGS = (AuditTag.ArchivedRecordViewed, AuditTag.MergeCompared, AuditTag.ReviewViewed)
# Looks the person did not choose: the clerical review queue shows the children the matching engine put
# beside a feed row. They count toward every alert as any look does, but never toward the automatic
# suspension: a feed's burst of reviews would otherwise lock out the people clearing it (60 children an
# hour, at the default numbers, is a review every two minutes). Children the person chose to open (record,
# archive, comparison) past the hard threshold still suspend, whatever the queue added.
QUEUE_LOOK_TAGS = (AuditTag.ReviewViewed,)
# Recording an involvement is a look at the record (`children.services.involvement_record` screens it): a
# purpose stated by id and an involvement recorded show no record page and write no view, yet the matches
# inbox then names the child and who else works with it. Counted by every viewing rule as a look the person
# chose; unexplained when the person had neither found the child by a search nor opened its record before
# (`_involvement_unexplained_condition`: the first look at a child is judged on its own).
# The inbox's own naming (`AuditTag.InboxChildShown`) is not counted: each child it names is one the person
# recorded an involvement with (counted then) or the engine's match about such a child, and counted on each
# read it would alert on every caseload of more than 30 children with matches, burying the queue.
INVOLVEMENT_LOOK_TAGS = (AuditTag.InvolvementRecorded,)
# The audit events the viewing rules count: record views, break-glass overrides (`children.override`),
# subject access reports (`reports.subject_access`: each decrypts the whole record) and the looks above.
VIEW_TAGS = (
    AuditTag.RecordViewed,
    AuditTag.ShieldOverridden,
    AuditTag.SubjectAccessProduced,
    *RECORD_LOOK_TAGS,
    *INVOLVEMENT_LOOK_TAGS,
)
# The audit events the out-of-hours rule counts: searches, and looks at whole records (`VIEW_TAGS`) but
# break-glass overrides, which emergencies bring at any hour (docs/DECISIONS.md section 9). A subject
# access report decrypts the whole record, so one produced at night is activity out of hours too; so is
# each record an archive, comparison or review page shows at night (events: a comparison is two looks),
# and each involvement recorded at night with a child whose record the person did not open in the hour
# (`_out_of_hours_events`: the rule counts events, and one recorded beside a view is no new look).
OUT_OF_HOURS_TAGS = (
    AuditTag.SearchPerformed,
    AuditTag.RecordViewed,
    AuditTag.SubjectAccessProduced,
    *RECORD_LOOK_TAGS,
    *INVOLVEMENT_LOOK_TAGS,
)
# The key a record view's audit event carries when the child belongs to another LA than the viewer's.
OUTSIDE_HOME_LA = "outside_home_la"
# The key a record view's (and an emergency opening's) event carries: the LA holding the child when it was
# opened, so the figures count the opening under that LA even after the child moves (`insight.figures`).
CHILD_LA = "child_la_id"


def _thresholds(per_hour: int) -> Thresholds:
    return Thresholds(alert_above=per_hour, suspend_above=per_hour * settings.MISUSE_SUSPEND_FACTOR)


def _home_la(user: User) -> Organisation | None:
    """The LA whose team manages the account, read from its organisation as stored now and held FOR KEY
    SHARE to the end of the transaction (after the account's row, as every writer takes them). The copy
    the request loaded at its start may predate the administrator putting the organisation in another
    LA; and that move (which locks the organisation FOR UPDATE) gathers the waiting alerts about its staff
    (`alerts_follow_staff`) and cannot see one not committed yet. Held, the move either came first and is
    read here, or waits for this alert and then takes it along."""
    row_held(Organisation, user.organisation_id, strength=Strength.KEY_SHARE)  # none: nothing to hold
    la_id = User.objects.select_related("organisation").get(pk=user.pk).home_la_id
    return Organisation.objects.filter(pk=la_id).first() if la_id is not None else None


def _signal(*, user: User, rule: Rule, kind: AlertKind, additional: dict[str, object] | None = None) -> None:
    """Audit the signal and queue the alert for whoever manages the account: the system administrator
    for an LA team member or another nationally managed account (their colleagues could not act on it),
    else the user's own LA team (if the user belongs to an LA)."""
    la = _home_la(user)
    national = user.role in NATIONALLY_MANAGED_ROLES
    alert = (
        alert_raise(local_authority=la, kind=kind, raised_by=user, national=national)
        if la is not None or national
        else None
    )
    event_record(
        tag=AuditTag.MisuseSuspected,
        actor=user,
        additional={"rule": str(rule), "alert_id": alert.pk if alert else None, **(additional or {})},
    )


def _screening_lock(user: User) -> None:
    """Serialise this user's screenings: lock the user's row to commit, then read it afresh.

    Called inside the transaction that wrote the audit event, so a screening that waited here counts
    the events of every screening before it (committed by then: each statement in PostgreSQL's READ
    COMMITTED reads what was committed before it began), and sees their alerts and any suspension.
    The lock waits only for the same user's own requests. On SQLite the audit event written just before
    already holds the database's single write lock, which serialises the screenings in the same way.
    """
    locked = User.objects.select_for_update().only("suspended_at").get(pk=user.pk)
    user.suspended_at = locked.suspended_at


def _alerted_within_window(user: User, kind: AlertKind, window: timedelta = WINDOW) -> bool:
    return Alert.objects.filter(raised_by=user, kind=kind, raised_at__gte=timezone.now() - window).exists()


def _act_on_sustained(*, user: User, counted: str, count: int, per_hour: int) -> None:
    """Alert (once a rolling day, whichever count crossed) when the day's distinct children pass
    `MISUSE_DAY_FACTOR` times the hourly threshold (above the hourly hard threshold,
    `MISUSE_SUSPEND_FACTOR`). Never suspends: only a person can tell a long day's caseload from
    browsing, and a burst within one hour is suspended by the hourly rules."""
    per_day = per_hour * settings.MISUSE_DAY_FACTOR
    kind = AlertKind.SUSTAINED_BROWSING
    if count <= per_day or user.suspended_at is not None or _alerted_within_window(user, kind, DAY):
        return
    additional: dict[str, object] = {"counted": counted, "count": count, "per_day": per_day}
    _signal(user=user, rule=Rule.SUSTAINED_BROWSING, kind=kind, additional=additional)


def _act_on_volume(
    *,
    user: User,
    rule: Rule,
    count: int,
    per_hour: int,
    chosen: int | None = None,
    thresholds: Thresholds | None = None,
) -> None:
    """Quiet, alert once an hour, or suspend (with its own alert) once the hard threshold is passed.

    `chosen`: of `count`, what the person chose to look at (`QUEUE_LOOK_TAGS` left out); only it can
    pass the hard threshold. None: all of `count` was chosen. `thresholds`: the rule's own (else
    `per_hour` and the settings' suspension factor)."""
    thresholds = thresholds or _thresholds(per_hour)
    verdict = volume_verdict(count, thresholds)
    if verdict == Verdict.SUSPEND and chosen is not None and chosen <= thresholds.suspend_above:
        verdict = Verdict.ALERT
    if verdict == Verdict.QUIET or user.suspended_at is not None:
        return
    kind = ALERT_KIND_BY_RULE[rule]
    if not _alerted_within_window(user, kind):
        _signal(user=user, rule=rule, kind=kind, additional={"count": count, "per_hour": per_hour})
    automatic = f"Automatic: {rule} above the hard threshold"
    if verdict == Verdict.SUSPEND and account_suspend(user=user, by=None, reason=automatic):
        # What crossed which hard threshold (a setting, so it may differ later): the alert's event was
        # often written earlier in the hour, at a lower count.
        crossed: dict[str, object] = {
            "suspended": True,
            "count": count,
            "suspend_above": thresholds.suspend_above,
        }
        _signal(user=user, rule=rule, kind=AlertKind.ACCOUNT_AUTO_SUSPENDED, additional=crossed)


def search_screen(
    *,
    user: User,
    family_name: str,
    too_many: bool,
    search_event_id: int,
    postcodes: Iterable[str] = (),
    shown_family_names: Iterable[str] = (),
) -> frozenset[Rule]:
    """Run the search rules after an audited search. Returns the rules that flagged this search for
    review (own surname, own address; none: empty).

    `shown_family_names`: the family names of the children the search shows. The own-surname rule
    compares those as well as the name typed, because the search finds far more than the name typed
    (names swapped between the boxes, a slip, a few letters, look-alike letters of another script):
    what matters is whether it showed the searcher a namesake.

    `postcodes`: the full postcode typed, and those of the children the search shows (never a shielded
    child's: its address is never read by a search), for the own-address rule.

    Own surname and own address never suspend on their own (docs/SECURITY.md): colleagues called Smith
    or Khan search Smiths and Khans every day, a neighbour's child may be on a caseload, and only a
    person can tell a relative from a caseload. Each such search raises its own alert, so repeats are
    visible in the queue and the audit.
    """
    with transaction.atomic(savepoint=False):
        _screening_lock(user)
        return _search_screen_locked(
            user=user,
            family_name=family_name,
            too_many=too_many,
            search_event_id=search_event_id,
            postcodes=postcodes,
            shown_family_names=shown_family_names,
        )


def _search_screen_locked(
    *,
    user: User,
    family_name: str,
    too_many: bool,
    search_event_id: int,
    postcodes: Iterable[str],
    shown_family_names: Iterable[str],
) -> frozenset[Rule]:
    """`search_screen` once this user's screenings are serialised."""
    # The tokens are worked out lazily: none at all for a searcher with no home postcode held.
    own_address = shares_address(user.home_postcode_token, (home_postcode_token(p) for p in postcodes))
    own_surname = any(shares_family_name(name, user.last_name) for name in (family_name, *shown_family_names))
    flagged = frozenset(
        rule for rule, hit in ((Rule.OWN_SURNAME, own_surname), (Rule.OWN_ADDRESS, own_address)) if hit
    )
    for rule in sorted(flagged):
        _signal(
            user=user,
            rule=rule,
            kind=ALERT_KIND_BY_RULE[rule],
            additional={"search_event_id": search_event_id},
        )
    # Out of working hours the out-of-hours rule needs the hour's moments too: fetched with the counts,
    # in the same statement (one round trip, not two, on every search made out of hours).
    hours = working_hours(user.organisation)
    moments: list[tuple[datetime, str]] | None = None
    if within_working_hours(timezone.now(), hours):
        counts = _search_counts(user, refined=too_many)
    else:
        counts, moments = _search_counts_and_moments(user, refined=too_many)
    if too_many:
        _act_on_volume(
            user=user,
            rule=Rule.BULK_REFINED_SEARCHES,
            count=counts.refined,
            per_hour=settings.MISUSE_REFINED_SEARCHES_PER_HOUR,
        )
    _act_on_volume(
        user=user, rule=Rule.BULK_SEARCHING, count=counts.searches, per_hour=settings.MISUSE_SEARCHES_PER_HOUR
    )
    _act_on_volume(
        user=user,
        rule=Rule.BULK_CHILDREN_FOUND,
        count=counts.found,
        per_hour=settings.MISUSE_CHILDREN_FOUND_PER_HOUR,
    )
    _act_on_sustained(
        user=user, counted="searches", count=counts.searches_today, per_hour=settings.MISUSE_SEARCHES_PER_HOUR
    )
    _act_on_sustained(
        user=user, counted="found", count=counts.found_today, per_hour=settings.MISUSE_CHILDREN_FOUND_PER_HOUR
    )
    if moments is not None:
        _act_on_out_of_hours(user, moments, hours)
    return flagged


class SearchCounts(NamedTuple):
    """What the search rules count: in the rolling hour, searches, distinct children they returned and
    (after a "refine your search" answer only, else 0) searches so answered; in the rolling day
    (`DAY`, the sustained-browsing rule), searches and distinct children they returned."""

    searches: int
    found: int
    refined: int
    searches_today: int
    found_today: int


def _searches_since(since: datetime, actor: int | OuterRef, **only: object) -> Subquery:
    """How many searches `actor` (a user id, or `OuterRef`) made since then (`only`: those so answered)."""
    made = AuditEvent.objects.filter(
        Q(actor_id=actor), tag=AuditTag.SearchPerformed, occurred_at__gte=since, **only
    )
    return Subquery(made.order_by().values("actor").annotate(n=Count("pk")).values("n"))


def _children_found_since(since: datetime, actor: int | OuterRef) -> Subquery:
    """The distinct children the searches of `actor` (a user id, or `OuterRef`) returned since then."""
    return Subquery(
        SearchAppearance.objects.filter(Q(actor_id=actor), occurred_at__gte=since)
        .order_by()
        .values("actor_id")
        .annotate(n=Count("child_id", distinct=True))
        .values("n")
    )


def _search_counts(user: User, *, refined: bool) -> SearchCounts:
    """The search rules' counts (`SearchCounts`): exact searches that each return one child are browsing
    too (the per-minute throttle allows 3,600 an hour). All in one statement (one round trip), each
    count over its (actor, time) index; children found from `SearchAppearance`, written with the search."""
    now = timezone.now()
    since = now - WINDOW
    me = OuterRef("pk")
    counts = {
        "searches": Coalesce(_searches_since(since, me), 0),
        "found": Coalesce(_children_found_since(since, me), 0),
        "searches_today": Coalesce(_searches_since(now - DAY, me), 0),
        "found_today": Coalesce(_children_found_since(now - DAY, me), 0),
    }
    if refined:  # counted only when this search was answered "refine": the rule looks at nothing else
        counts["refined"] = Coalesce(_searches_since(since, me, additional__too_many=True), 0)
    row = User.objects.filter(pk=user.pk).annotate(**counts).values(*counts).get()
    return SearchCounts(
        searches=row["searches"],
        found=row["found"],
        refined=row.get("refined", 0),
        searches_today=row["searches_today"],
        found_today=row["found_today"],
    )


def _search_counts_and_moments(
    user: User, *, refined: bool
) -> tuple[SearchCounts, list[tuple[datetime, str]]]:
    """`_search_counts` and the out-of-hours rule's moments (the rolling hour's `OUT_OF_HOURS_TAGS`
    events, `_out_of_hours_events`) in one statement: a row per moment, each carrying the counts that are
    not counted from the rows themselves (children found; refined searches; the day's), as uncorrelated
    subqueries that the database evaluates once. The search just audited is always one of the rows."""
    now = timezone.now()
    since = now - WINDOW
    counts = {
        "found": Coalesce(_children_found_since(since, user.pk), 0),
        "searches_today": Coalesce(_searches_since(now - DAY, user.pk), 0),
        "found_today": Coalesce(_children_found_since(now - DAY, user.pk), 0),
    }
    if refined:
        counts["refined"] = Coalesce(_searches_since(since, user.pk, additional__too_many=True), 0)
    rows = list(
        _out_of_hours_events(user, since=since)
        .order_by()
        .annotate(**counts)
        .values("occurred_at", "tag", *counts)
    )
    if not rows:  # not after an audited search; answered as `_search_counts` would, never skipped
        return _search_counts(user, refined=refined), []
    first = rows[0]
    searches = sum(1 for row in rows if row["tag"] == AuditTag.SearchPerformed)
    counted = SearchCounts(
        searches=searches,
        found=first["found"],
        refined=first.get("refined", 0),
        searches_today=first["searches_today"],
        found_today=first["found_today"],
    )
    return counted, [(row["occurred_at"], row["tag"]) for row in rows]


def unexplained(views: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """Record views with no earlier search by the same person returning the child, no earlier involvement
    by them recorded after they had looked at the record, and not opened from an alert the person's LA
    team was acting on (`alert_id`). Shared by the misuse rule and the LA team's report
    (`reports.reports.unexplained_views`)."""
    return views.filter(_unexplained_condition())


def _unexplained_condition() -> Q:
    """`unexplained` as a condition on an audit event row, so a count can filter by it in place."""
    searched = _searched_before()
    # An involvement recorded before the view only: one recorded after it would let anyone open children
    # by id, then record an involvement with each to wipe the views from this rule and the report.
    # And only one recorded after the person had looked at the record: any practitioner may record one
    # once a purpose is stated, which records no view, so a child opened by id could be given an
    # involvement first and every view of it "explained". The first look at a child is judged on its own
    # (a search, an alert); the involvement then explains the person's returns to it. (Recording one is a
    # look too: the matches inbox names the child next. The viewing rules count it, `INVOLVEMENT_LOOK_TAGS`.)
    looked = AuditEvent.objects.filter(
        tag=AuditTag.RecordViewed,
        child_id=OuterRef("child_id"),
        actor_id=OuterRef("actor_id"),
        pk__lt=OuterRef("pk"),
    )
    involved = AuditEvent.objects.filter(
        Exists(looked),
        tag=AuditTag.InvolvementRecorded,
        child_id=OuterRef("child_id"),
        actor_id=OuterRef("actor_id"),
        pk__lt=OuterRef("pk"),
    )
    return (
        Q(tag=AuditTag.RecordViewed)
        & ~Q(additional__has_key="alert_id")
        & Q(~Exists(searched))
        & Q(~Exists(involved))
    )


def _searched_before() -> QuerySet[SearchAppearance]:
    """The searches by the outer event's actor that returned its child before the event and still explain
    it: not one followed, before the event, by the child's shielding or a rename while shielded
    (`found_anew`). Whoever kept the id from such a search and opens the record now sees the name shielding
    keeps from every search by what they knew (`access.policy.has_found_by_search` no longer names the
    child to them): the look is counted as anyone's by id is. Read from the log, so it holds for shields
    applied before this rule was."""
    found_anew = AuditEvent.objects.filter(
        Q(tag=AuditTag.ShieldApplied) | Q(additional__has_key="found_anew"),
        child_id=OuterRef("child_id"),
        pk__gt=OuterRef("event_id"),
        pk__lt=OuterRef(OuterRef("pk")),
    )
    return SearchAppearance.objects.filter(
        ~Exists(found_anew),
        child_id=OuterRef("child_id"),
        actor_id=OuterRef("actor_id"),
        event_id__lt=OuterRef("pk"),
    )


def _involvement_unexplained_condition() -> Q:
    """An involvement recorded with a child the person had neither found by a search nor opened before: a
    look at the record by id (`INVOLVEMENT_LOOK_TAGS`), counted by the unexplained-views rule. One recorded
    after a record view is judged by that view (itself counted, explained or not); so is one after a
    search that showed the child. Not in `unexplained` (the LA team's report lists record views)."""
    searched = _searched_before()
    looked = AuditEvent.objects.filter(
        tag=AuditTag.RecordViewed,
        child_id=OuterRef("child_id"),
        actor_id=OuterRef("actor_id"),
        pk__lt=OuterRef("pk"),
    )
    return Q(tag__in=INVOLVEMENT_LOOK_TAGS) & Q(~Exists(searched)) & Q(~Exists(looked))


def working_hours(organisation: Organisation | None) -> WorkingHours:
    """The national working hours (settings), or the organisation's own (every day) where it has them."""
    hours = WorkingHours.parse(
        start=settings.MISUSE_WORKING_HOURS_START,
        end=settings.MISUSE_WORKING_HOURS_END,
        weekdays=settings.MISUSE_WORKING_DAYS,
        zone=settings.MISUSE_WORKING_HOURS_TIME_ZONE,
    )
    if (
        organisation is None
        or organisation.working_hours_start is None
        or organisation.working_hours_end is None
    ):
        return hours
    return WorkingHours(
        start=organisation.working_hours_start,
        end=organisation.working_hours_end,
        weekdays=frozenset(range(7)),
        zone=hours.zone,
    )


def _out_of_hours_screen(user: User) -> None:
    """Searches and record views (`OUT_OF_HOURS_TAGS`) outside working hours in the rolling hour.
    Nothing is counted while it is working hours now; the moments are few (the hard threshold caps
    them), so each is checked against the hours in Python, across any clock change."""
    hours = working_hours(user.organisation)
    now = timezone.now()
    if within_working_hours(now, hours):
        return
    moments = _out_of_hours_events(user, since=now - WINDOW).values_list("occurred_at", "tag")
    _act_on_out_of_hours(user, moments, hours)


def _out_of_hours_events(user: User, *, since: datetime) -> QuerySet[AuditEvent]:
    """The events the out-of-hours rule counts since then (`OUT_OF_HOURS_TAGS`), less each involvement
    recorded with a child whose record the person opened in the same window: the rule counts events, not
    children, and that involvement is no new look (the view was). An emergency duty worker at night (a
    search, the record, an involvement recorded, the record again) made four events a child with it, and
    eleven children crossed the suspension threshold. One recorded with a child never opened (a purpose
    stated by id, the record page never requested) is the look, and counts, alert and suspension alike."""
    opened = AuditEvent.objects.filter(
        actor=user, tag=AuditTag.RecordViewed, child_id=OuterRef("child_id"), occurred_at__gte=since
    )
    return AuditEvent.objects.filter(actor=user, tag__in=OUT_OF_HOURS_TAGS, occurred_at__gte=since).exclude(
        Q(tag__in=INVOLVEMENT_LOOK_TAGS) & Q(Exists(opened))
    )


def _act_on_out_of_hours(user: User, moments: Iterable[tuple[datetime, str]], hours: WorkingHours) -> None:
    """The out-of-hours rule over the rolling hour's searches and record views (`moments`: the time and
    tag of each of its `OUT_OF_HOURS_TAGS` events). Looks the review queue chose (`QUEUE_LOOK_TAGS`)
    count toward the alert but not the suspension, as for bulk viewing: at night as by day, a burst of
    reviews must not lock out the person clearing it."""
    outside = [tag for moment, tag in moments if not within_working_hours(moment, hours)]
    _act_on_volume(
        user=user,
        rule=Rule.OUT_OF_HOURS,
        count=len(outside),
        per_hour=settings.MISUSE_OUT_OF_HOURS_ACTIONS_PER_HOUR,
        chosen=sum(1 for tag in outside if tag not in QUEUE_LOOK_TAGS),
    )


def view_screen(*, user: User) -> None:
    """Run the viewing rules after an audited record view, override, subject access report or look at
    records on another page (`RECORD_LOOK_TAGS`; distinct children, rolling hour): bulk viewing,
    unexplained views, views of other LAs' children, and activity outside working hours. Callers write
    every event of the look first, then screen once, in the same transaction; they re-check the user
    (the rules may have suspended them) before showing anything."""
    with transaction.atomic(savepoint=False):
        _screening_lock(user)
        _view_screen_locked(user)


def _view_screen_locked(user: User) -> None:
    """`view_screen` once this user's screenings are serialised."""
    # Break-glass overrides are views too: counted by bulk viewing and outside LA. Never "unexplained"
    # (the condition asks for a `RecordViewed` event): each carries its reason and alerts the child's LA.
    now = timezone.now()
    views = AuditEvent.objects.filter(actor=user, tag__in=VIEW_TAGS, occurred_at__gte=now - DAY)
    # The five distinct-children counts in one statement (one round trip), over the same rows: the day's
    # for the sustained-browsing rule, the rolling hour's for the others.
    hour = Q(occurred_at__gte=now - WINDOW)
    counts = views.aggregate(
        viewed=Count("child_id", distinct=True, filter=hour),
        chosen=Count("child_id", distinct=True, filter=hour & ~Q(tag__in=QUEUE_LOOK_TAGS)),
        unexplained=Count(
            "child_id",
            distinct=True,
            filter=hour & (_unexplained_condition() | _involvement_unexplained_condition()),
        ),
        outside=Count("child_id", distinct=True, filter=hour & Q(**{f"additional__{OUTSIDE_HOME_LA}": True})),
        viewed_today=Count("child_id", distinct=True),
    )
    _act_on_volume(
        user=user,
        rule=Rule.BULK_VIEWING,
        count=counts["viewed"],
        per_hour=settings.MISUSE_VIEWS_PER_HOUR,
        chosen=counts["chosen"],
    )
    _act_on_volume(
        user=user,
        rule=Rule.UNEXPLAINED_VIEWS,
        count=counts["unexplained"],
        per_hour=settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR,
    )
    _act_on_volume(
        user=user,
        rule=Rule.VIEWS_OUTSIDE_LA,
        count=counts["outside"],
        per_hour=settings.MISUSE_VIEWS_OUTSIDE_LA_PER_HOUR,
    )
    _act_on_sustained(
        user=user, counted="viewed", count=counts["viewed_today"], per_hour=settings.MISUSE_VIEWS_PER_HOUR
    )
    _out_of_hours_screen(user)


def export_screen(*, user: User) -> None:
    """After an audited disclosure export request: alert the requester's own LA team once a week when
    the distinct children they asked to export in the week pass `EXPORT_CAP_FACTOR` times the per-export
    cap. The cap alone is per request, so splitting a list into many small exports went unnoticed.

    An alert only, never an automatic suspension: each export has a lawful basis and a colleague's
    approval, and only a person can tell a large enquiry from a bulk download. The child ids come from
    the requests' own audit events (few rows: exports are rare).
    """
    with transaction.atomic(savepoint=False):
        _screening_lock(user)
        requested = AuditEvent.objects.filter(
            actor=user,
            tag=AuditTag.DisclosureExportRequested,
            occurred_at__gte=timezone.now() - EXPORT_WINDOW,
        ).values_list("additional", flat=True)
        children = {child_id for additional in requested for child_id in additional.get("child_ids", [])}
        per_week = settings.DISCLOSURE_EXPORT_MAX_CHILDREN * EXPORT_CAP_FACTOR
        kind = AlertKind.BULK_EXPORTED_CHILDREN
        if len(children) > per_week and not _alerted_within_window(user, kind, EXPORT_WINDOW):
            _signal(
                user=user,
                rule=Rule.BULK_EXPORTED_CHILDREN,
                kind=kind,
                additional={"count": len(children), "per_week": per_week},
            )


# Refusals that are about the person, not a child they tried: refused alike for any id (a role that may not
# do the action, vetting lapsed, an organisation cut off), so they probe nothing. Reasons of
# `access.policy.REASON_MESSAGES` (`accounts.vetting.vetting_refusal`'s, and the role checks').
REFUSALS_ABOUT_THE_PERSON = frozenset(
    {
        "not_signed_in",
        "inactive",
        "suspended",
        "no_organisation",
        "organisation_not_accredited",
        "organisation_closed",
        "background_check_lapsed",
        "training_lapsed",
        "agreement_unsigned",
        "role_not_permitted",
        "no_child_protection_duty",
    }
)
# The reason the refusal of an id that never existed carries (an archived or closed record's id, refused to
# someone who may not identify it, carries the policy's reason: `archived`, `closed`, `other_la`...).
NO_SUCH_RECORD = "no_such_record"
LOOKUP_REFUSALS = frozenset(
    {
        NO_SUCH_RECORD,
        "not_found_by_search",
        "archived",
        "closed",
        "shielded",
        "not_shielded",
        "other_la",
        "not_involved",
        "not_archived",
    }
)
"""The refusals the refused look-ups rule counts: those saying that this child may not be seen or identified
by this person on the page tried (reasons of `access.policy.REASON_MESSAGES`, and `NO_SUCH_RECORD`).

An id that never existed; a child no search of theirs returned (`not_found_by_search`: the purpose page,
break-glass); a record archived or closed for a new identity (a kept id); one shielded from them; a
break-glass on a record that is not shielded (`not_shielded`: which tells that the child exists and is not);
another LA's child on an LA team's page (`other_la`); an action of the involved on a child they are not
involved with (`not_involved`: what a page refuses someone who never found the child); a record that is
not archived on the archive pages (`not_archived`: a kept id of a living record tried there).

Not counted, as they are about what the person may do with a child they may see, or about something other
than the child: their own correction, export or account (`own_*`), a detail that is no field (`not_a_field`),
someone else's involvement (`not_own_involvement`), a correction or review held for the LA team
(`correction_shielded`, `review_shielded`), an old archive without its statutory reason, an export not
theirs to download, a transfer decided, withdrawn or not theirs to decide; nor any about the person
(`REFUSALS_ABOUT_THE_PERSON`). An LA team member working through the shared corrections queue probes
nothing: counted, their day's work raised a misuse alert. (Nor is a refusal about a child of its own LA to
the LA team that holds it, whatever the reason: `refusal_counted`.)"""
# `children.models.RecordStatus.CLOSED`: a record closed for a new identity (oversight sits below children).
CLOSED_FOR_A_NEW_IDENTITY = "closed"


class RefusedRecord(Protocol):
    """The child a refusal was about, as the refusing page read it (a `children.models.Child`)."""

    @property
    def pk(self) -> UUID: ...

    @property
    def local_authority_id(self) -> int: ...

    @property
    def status(self) -> str: ...


def refusal_counted(
    *,
    reason: str,
    child: RefusedRecord | None = None,
    child_id: UUID | None = None,
    user: User | None = None,
    unknown: bool = False,
) -> bool:
    """Is a refusal a look-up the refused look-ups rule counts: a look-up (`LOOKUP_REFUSALS`) of a child
    (named, or an id that never existed), or any refusal about a child the refusing page judged `unknown` to
    the person (`access.policy.child_known`: whatever the reason, say "not their involvement" on a real
    child's id, the id told them nothing they could know). Decided once, as the refusal is written: its
    event carries the mark (`LOOK_UP`) the rule counts (`refusal_record`). A minute over the search limit is
    no refusal of this kind: its own event (`AuditTag.SearchThrottled`) is counted by the rule.

    Never one about the person (`REFUSALS_ABOUT_THE_PERSON`), nor one about the LA team's own LA's child to
    `user` of that team (when the page read the child): the team may identify every child its LA holds, so
    a refusal there (an archived record is the data manager's) is about what it may do, not a look-up."""
    if reason in REFUSALS_ABOUT_THE_PERSON:
        return False
    if (
        user is not None
        and child is not None
        and user.role == Role.LA_TEAM
        and user.home_la_id == child.local_authority_id
    ):
        return False
    if unknown and (child is not None or child_id is not None):
        return True
    if reason not in LOOKUP_REFUSALS:
        return False
    return child is not None or child_id is not None or reason == NO_SUCH_RECORD


# The mark a page's refusal carries in its event when it is a look-up (`refusal_counted`): what the rule
# counts, decided once as it was written, so that a refusal never screened is never counted later.
LOOK_UP = "look_up"


def refusal_record(
    *,
    actor: User | None,
    child_id: UUID | None,
    additional: dict[str, object],
    child: RefusedRecord | None = None,
    unknown: bool = False,
) -> None:
    """Write a page's refusal (`AccessDenied`) and screen it, in one transaction: the one writer the pages
    call (`access.http`). Marked `LOOK_UP` when it is one (`refusal_counted`), and then screened
    (`refusal_screen`); otherwise written only. `actor` None: someone signed out (nothing to count)."""
    reason = str(additional.get("reason", ""))
    look_up = actor is not None and refusal_counted(
        reason=reason, child=child, child_id=child_id, user=actor, unknown=unknown
    )
    with transaction.atomic():
        event_record(
            tag=AuditTag.AccessDenied,
            actor=actor,
            child_id=child_id,
            additional={**additional, LOOK_UP: True} if look_up else additional,
        )
        if actor is not None and look_up:
            refusal_screen(user=actor, child=child)


def refusal_screen(*, user: User, child: RefusedRecord | None = None) -> None:
    """Screen a refusal already judged a look-up (`refusal_record` judges a page's; a minute over the search
    limit always is one), in the transaction that wrote its event: the refused look-ups rule, and the
    immediate alert for a try at a record closed for a new identity. `child`: the record the refusal was
    about, as the page read it (None: an id that never existed, no child, or the search limit).

    Refused look-ups (`_refused_lookups_locked`): made-up ids, kept ids of records archived or closed,
    refused break-glass on a child, under the search limit, were each refused and audited and never
    counted. A try at a closed record by anyone but the LA team holding it alerts that team at once
    (`_closed_record_tried_locked`). The work is the same for a made-up id and a closed record's (the same
    statements), bar the first try at a closed record in the hour, which alerts: the answer's timing does
    not tell a kept id from a made-up one without the LA team being told. The caller re-checks the user
    afterwards (the rule may have suspended them) before showing anything more, as after a record view.
    """
    with transaction.atomic(savepoint=False):
        _screening_lock(user)
        _closed_record_tried_locked(user, child)
        _refused_lookups_locked(user)


def _refused_lookups_locked(user: User) -> None:
    """Count the rolling hour's refused look-ups (`AccessDenied` marked `LOOK_UP` as written: `refusal_record`)
    and minutes over the search limit, each `THROTTLED_MINUTE_WEIGHT`
    (`oversight.rules.REFUSED_LOOKUPS`). One statement, over the (actor, occurred_at) index: the search
    limit caps the rows (every such refusal counts against it). A positive list, not "all but": a reason
    added to the policy later is not counted until someone says it is a look-up."""
    refused = Q(tag=AuditTag.AccessDenied) & Q(**{f"additional__{LOOK_UP}": True})
    counts = AuditEvent.objects.filter(
        actor=user,
        tag__in=(AuditTag.AccessDenied, AuditTag.SearchThrottled),
        occurred_at__gte=timezone.now() - WINDOW,
    ).aggregate(
        refused=Count("pk", filter=refused),
        throttled=Count("pk", filter=Q(tag=AuditTag.SearchThrottled)),
    )
    count = counts["refused"] + counts["throttled"] * THROTTLED_MINUTE_WEIGHT
    _act_on_volume(
        user=user,
        rule=Rule.REFUSED_LOOKUPS,
        count=count,
        per_hour=REFUSED_LOOKUPS.alert_above,
        thresholds=REFUSED_LOOKUPS,
    )


def _closed_record_tried_locked(user: User, child: RefusedRecord | None) -> None:
    """Alert the LA team holding a record closed for a new identity that someone else tried it: the alert
    names the record's id and who tried, nothing else (no reason, nothing of the child). Once an hour per
    person and record: repeats are the refused look-ups rule's to count. The LA team holding it may try
    its own closed record. For that team whatever account tried (not national: the system administrator
    cannot act on a record).

    The hour's alert is looked for whatever the refusal (none for a made-up id: the same statement), so
    that a repeat try at a closed record costs what a made-up id costs."""
    kind = AlertKind.CLOSED_RECORD_TRIED
    since = timezone.now() - WINDOW
    child_id = child.pk if child is not None else None
    alerted = Alert.objects.filter(
        raised_by=user, kind=kind, child_id=child_id, raised_at__gte=since
    ).exists()
    if alerted or child is None or child.status != CLOSED_FOR_A_NEW_IDENTITY:
        return
    # The LA team holding it trying its own closed record is never screened (`refusal_counted`).
    la = Organisation.objects.get(pk=child.local_authority_id)
    alert = alert_raise(local_authority=la, kind=kind, raised_by=user, child_id=child.pk)
    event_record(
        tag=AuditTag.MisuseSuspected,
        actor=user,
        additional={"rule": str(Rule.CLOSED_RECORD_TRIED), "alert_id": alert.pk},
    )
