"""The one place that decides who may do what to which child, and why not.

Views and API endpoints call `decide` (or `require`) and show the reason; nothing re-implements a rule.
`visibility` says which parts of a record an allowed viewer may see.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Max
from django.utils import timezone

from access.permissions import Permission
from accounts.models import (
    LA_MANAGED_ROLES,
    NATIONALLY_MANAGED_ROLES,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from accounts.vetting import vetting_refusal
from audit.models import SearchAppearance
from children.models import Child, Involvement, RecordStatus
from children.records import SourceIdentifier
from children.selectors import InvolvementView
from corrections.fields import field_for
from corrections.models import Complaint, Correction
from disclosure.models import DisclosureExport
from feeds.models import FeedSource
from lifecycle.models import Archive, Transfer, TransferStatus
from lifecycle.rules import data_manager_window_ends
from linkage.models import ChildMerge, ClericalReview
from oversight.models import Alert

PRACTITIONER_ROLES = {Role.PRACTITIONER, Role.OVERRIDE_HOLDER}
ROLES_BY_PERMISSION: dict[Permission, set[str]] = {
    Permission.ChildSearch: {*PRACTITIONER_ROLES, Role.LA_TEAM},
    Permission.ChildView: {*PRACTITIONER_ROLES, Role.LA_TEAM},
    Permission.ChildIdentify: {*PRACTITIONER_ROLES, Role.LA_TEAM},
    Permission.InvolvementRecord: set(PRACTITIONER_ROLES),
    Permission.InvolvementCease: {*PRACTITIONER_ROLES, Role.LA_TEAM},
    Permission.LeadProfessionalSet: {*PRACTITIONER_ROLES, Role.LA_TEAM},
    Permission.CafSet: {*PRACTITIONER_ROLES, Role.LA_TEAM},
    Permission.ShieldOverride: {Role.OVERRIDE_HOLDER},
    Permission.AccountManage: {Role.LA_TEAM},
    # An LA team its LA's alerts; the system administrator the alerts about accounts they manage.
    Permission.AlertView: {Role.LA_TEAM, Role.SYSTEM_ADMIN},
    Permission.AlertAcknowledge: {Role.LA_TEAM, Role.SYSTEM_ADMIN},
    Permission.AuditReportView: {Role.LA_TEAM, Role.NATIONAL_AUDITOR},
    Permission.SubjectAccessProduce: {Role.LA_TEAM},
    Permission.ArchiveView: {Role.DATA_MANAGER},
    Permission.ArchiveStatutoryView: {Role.DATA_MANAGER},
    Permission.DataQualityView: {Role.DATA_MANAGER},
    Permission.ServiceHealthView: {Role.SYSTEM_ADMIN},
    Permission.MatchReceive: set(PRACTITIONER_ROLES),
    Permission.InvolvementCoordinate: set(PRACTITIONER_ROLES),
    Permission.InboxView: set(PRACTITIONER_ROLES),
    Permission.MatchStatisticsView: {Role.LA_TEAM},
    Permission.MatchBroker: {Role.LA_TEAM},
    Permission.FeedSubmit: {Role.FEED_SOURCE},
    Permission.ReviewDecide: {Role.LA_TEAM, Role.DATA_MANAGER},
    Permission.ChildMerge: {Role.LA_TEAM},
    Permission.OrganisationManage: {Role.SYSTEM_ADMIN},
    Permission.NationalAccountManage: {Role.SYSTEM_ADMIN},
    # Management information: counts only, suppressed; an LA team its own LA, the national auditor all LAs.
    Permission.LocalInsightView: {Role.LA_TEAM},
    Permission.NationalInsightView: {Role.NATIONAL_AUDITOR},
    Permission.DisclosureExportRequest: {Role.LA_TEAM},
    Permission.DisclosureExportView: {Role.LA_TEAM},
    Permission.DisclosureExportDecide: {Role.LA_TEAM},
    Permission.DisclosureExportDownload: {Role.LA_TEAM},
    Permission.TransferRequest: {Role.LA_TEAM},
    Permission.TransferView: {Role.LA_TEAM},
    Permission.TransferDecide: {Role.LA_TEAM},
    Permission.TransferWithdraw: {Role.LA_TEAM},
    Permission.AddressStatusRecord: {Role.LA_TEAM},
    Permission.NewIdentityCreate: {Role.LA_TEAM},
    Permission.ShieldSet: {Role.LA_TEAM},
    Permission.ArchiveAgeRecord: {Role.LA_TEAM},
    Permission.CorrectionRaise: {*PRACTITIONER_ROLES, Role.LA_TEAM},
    Permission.CorrectionListOwn: {*PRACTITIONER_ROLES, Role.LA_TEAM},
    Permission.CorrectionDecide: {Role.LA_TEAM, Role.DATA_MANAGER},
    Permission.ComplaintRecord: {Role.LA_TEAM},
    Permission.ComplaintManage: {Role.LA_TEAM},
}
# Accounts whose activity only the national auditor reviews: the reviewers and the administrators. Either
# may be attached to an LA (its organisation), which made them "the LA's users" to the team under review.
NATIONALLY_REVIEWED_ROLES = frozenset({Role.NATIONAL_AUDITOR, Role.SYSTEM_ADMIN})
ALERT_PERMISSIONS = {Permission.AlertView, Permission.AlertAcknowledge}
AUDIT_PERMISSIONS = {Permission.AuditReportView, Permission.SubjectAccessProduce}
# An LA team acts on its own LA's accounts and alerts only; an account with no home LA has none to act on.
LA_SCOPED_PERMISSIONS = {
    Permission.AccountManage,
    Permission.AlertView,
    Permission.AlertAcknowledge,
    Permission.MatchStatisticsView,
    Permission.MatchBroker,
    Permission.LocalInsightView,
}
# Moves, identity changes and how long the record is kept (a consented archive age) are the owning LA team's (a transfer's receiving team decides it; its
# sending team may withdraw it while it waits).
MOVE_PERMISSIONS = {
    Permission.TransferRequest,
    Permission.TransferView,
    Permission.TransferDecide,
    Permission.TransferWithdraw,
    Permission.AddressStatusRecord,
    Permission.NewIdentityCreate,
    Permission.ShieldSet,
    Permission.ArchiveAgeRecord,
}
# The archive is read by data managers only: in its first year, then only for a statutory investigation.
ARCHIVE_PERMISSIONS = {Permission.ArchiveView, Permission.ArchiveStatutoryView}
# A disclosure export is its own LA team's business: one member asks, a different one decides, the asker
# alone downloads (docs/SECURITY.md "No bulk export").
EXPORT_PERMISSIONS = {
    Permission.DisclosureExportRequest,
    Permission.DisclosureExportView,
    Permission.DisclosureExportDecide,
    Permission.DisclosureExportDownload,
}

# Break-glass is for practitioners with child-protection duties (domain.md: social worker, police): the
# override-holder role opens a shielded record only for staff of these organisations. The invitation
# offers it for no other (team.forms), and an account given it before that check is refused here.
OVERRIDE_HOLDER_KINDS = frozenset({OrganisationKind.SOCIAL_CARE, OrganisationKind.POLICE})

REASON_MESSAGES = {
    "not_signed_in": "You need to sign in.",
    "suspended": "Your account is suspended.",
    "inactive": "Your account is closed.",
    "no_organisation": "Your account is not linked to an organisation.",
    "organisation_not_accredited": "Your organisation is not accredited to use ContactPoint.",
    "organisation_closed": "Your organisation has been closed on ContactPoint.",
    "background_check_lapsed": "Your enhanced background check has expired or is not recorded.",
    "training_lapsed": "Your ContactPoint training has expired or is not recorded.",
    "agreement_unsigned": "You have not signed the ContactPoint user agreement.",
    "role_not_permitted": "Your role does not allow this.",
    "shielded": "This record is shielded: only the local authority ContactPoint team that holds it can see it in full.",
    "not_own_involvement": "You can only change involvement that you recorded.",
    "not_involved": "Only practitioners currently involved with this child, or the LA team, can do this.",
    "not_shielded": "This record is not shielded: open it in the usual way.",
    "no_child_protection_duty": (
        "Emergency access to shielded records is for social workers and the police: ask the child's "
        "local authority ContactPoint team."
    ),
    "other_la": "This belongs to another local authority.",
    "own_account": "You cannot change your own account. Ask a colleague in your LA team.",
    "not_found_by_search": "Find this child with a search first.",
    "archived": "This record has been archived. Only a data manager can open it.",
    "not_archived": "This record is not archived: the archive pages do not open it.",
    "not_a_feed_source": "Only a registered feed source can submit feed batches.",
    "field_not_entitled": "The row has fields this source is not entitled to supply:",
    "la_not_entitled": "This source is not entitled to supply records for that local authority.",
    "review_shielded": "This review is held for the LA team: it could concern a shielded child.",
    "archive_statutory_reason_required": (
        "This record was archived more than a year ago. "
        "It can be opened only for a statutory investigation, giving the statutory reason."
    ),
    "own_alert": "You cannot acknowledge an alert about yourself. Ask a colleague in your LA team.",
    "own_account_national": "You cannot change your own account. Ask another system administrator.",
    "own_organisation": (
        "You cannot close your own organisation or take its accreditation away: it would end your access "
        "and your colleagues'. An administrator of another organisation must do it."
    ),
    "own_alert_national": "You cannot acknowledge an alert about yourself. Ask another system administrator.",
    "national_alert": (
        "This alert is about an account the system administrator looks after: it is in their alert queue."
    ),
    "la_alert": "This alert is for the local authority's ContactPoint team, who look after the account.",
    "not_nationally_managed": (
        "This account is looked after by its local authority's ContactPoint team, not nationally."
    ),
    "nationally_managed": "This account is looked after nationally, by the system administrator.",
    "own_export": "You cannot approve or refuse your own export request. Ask a colleague in your LA team.",
    "not_requester": "Only the person who asked for this export can download it.",
    "closed": "This record has been closed.",
    "transfer_decided": "This transfer has already been decided.",
    "transfer_withdrawn": "This transfer request was withdrawn by the local authority that sent it.",
    "not_receiving_la": "Only the ContactPoint team of the local authority asked to take over the record can decide.",
    "not_sending_la": "Only the ContactPoint team of the local authority that asked can withdraw the request.",
    "not_a_field": "There is no such detail on this record to correct.",
    "own_correction": "You cannot decide a correction you raised. Ask a colleague in your LA team.",
    "correction_shielded": (
        "This correction is to a detail of a shielded record: only the LA team that holds it can decide it."
    ),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    detail: str = ""  # e.g. which fields were outside an entitlement: names, never values

    @property
    def message(self) -> str:
        base = REASON_MESSAGES.get(self.reason, "You do not have access to this.")
        return f"{base} {self.detail}" if self.detail else base

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def _deny(reason: str) -> Decision:
    return Decision(False, reason)


def prerequisites(actor: User, today: date | None = None) -> Decision:
    """Vetting that every person must hold, checked at every request, so a lapse bites at once.

    The reading itself is `accounts.vetting.vetting_refusal`, which the writing services ask again on the
    account as stored under its lock (`accounts.services.actor_able_locked`): one rule, two moments."""
    reason = vetting_refusal(actor, today or timezone.localdate())
    return _deny(reason) if reason is not None else ALLOW


def holds_vetting(user: User) -> bool:
    """Must `user` hold the vetting every person holds (`prerequisites`)? Not a feed source: a system, not
    a person, judged by its registration and organisation instead (`_decide_feed`), so no background
    check or training is its to lapse (the LA team's "due to lapse" list counts people only)."""
    return user.role != Role.FEED_SOURCE


def is_la_team_for(actor: User, child: Child) -> bool:
    return actor.role == Role.LA_TEAM and actor.home_la_id == child.local_authority_id


def is_currently_involved(actor: User, child: Child) -> bool:
    return child.involvements.filter(recorded_by=actor, ceased=False).exists()


def has_found_by_search(actor: User, child: Child) -> bool:
    """Some search by `actor` returned `child` (the audited result list, `SearchAppearance`), since the
    child was last shielded or renamed while shielded (`Child.found_anew_after`).

    An earlier search showed the child as it was then; its id, kept in a browser's history, must not give
    the maker the new name that shielding keeps from every search by what they knew. A search made since
    (by the new name) identifies the child as before.
    """
    found = SearchAppearance.objects.filter(actor_id=actor.pk, child_id=child.pk)
    if child.found_anew_after is not None:
        found = found.filter(occurred_at__gte=child.found_anew_after)
    return found.exists()


def has_ever_been_involved(actor: User, child: Child) -> bool:
    """`actor` recorded an involvement with `child`, current or ceased."""
    return child.involvements.filter(recorded_by=actor).exists()


class _Facts:
    """What the rules read from the database about the actor and a child, one question at a time.

    `decide` asks each question when a rule needs it (`_BatchFacts` asks once for a batch).
    """

    def __init__(self, actor: User) -> None:
        self.actor = actor

    def currently_involved(self, child: Child) -> bool:
        return is_currently_involved(self.actor, child)

    def found_by_search(self, child: Child) -> bool:
        return has_found_by_search(self.actor, child)

    def ever_involved(self, child: Child) -> bool:
        return has_ever_been_involved(self.actor, child)


class _BatchFacts(_Facts):
    """The same questions for many children, each asked of the database once for all of them.

    Lazily: a batch whose rules never need a fact (an LA team's own children, say) never queries it.
    The answers are those of the single questions above (tested: access/tests/test_decide_many.py).
    """

    def __init__(self, actor: User, children: Iterable[Child]) -> None:
        super().__init__(actor)
        self._child_ids = list({child.pk for child in children})
        self._involvements: dict[object, bool] | None = None  # child id -> any current one
        self._found: dict[object, datetime] | None = None  # child id -> latest search that returned it

    def _involvement_rows(self) -> dict[object, bool]:
        if self._involvements is None:
            rows = Involvement.objects.filter(recorded_by=self.actor, child_id__in=self._child_ids)
            self._involvements = {}
            for child_id, ceased in rows.values_list("child_id", "ceased"):
                self._involvements[child_id] = self._involvements.get(child_id, False) or not ceased
        return self._involvements

    def currently_involved(self, child: Child) -> bool:
        return self._involvement_rows().get(child.pk, False)

    def ever_involved(self, child: Child) -> bool:
        return child.pk in self._involvement_rows()

    def found_by_search(self, child: Child) -> bool:
        if self._found is None:
            found = SearchAppearance.objects.filter(actor_id=self.actor.pk, child_id__in=self._child_ids)
            rows = found.order_by().values("child_id").annotate(latest=Max("occurred_at"))
            self._found = {row["child_id"]: row["latest"] for row in rows}
        latest = self._found.get(child.pk)
        if latest is None:
            return False
        # As `has_found_by_search`: a search since the child was last shielded or renamed while shielded.
        return child.found_anew_after is None or latest >= child.found_anew_after


def decide(
    *,
    actor: User,
    action: Permission,
    child: Child | None = None,
    involvement: Involvement | None = None,
    subject: User | None = None,
    alert: Alert | None = None,
    review: ClericalReview | None = None,
    export: DisclosureExport | None = None,
    transfer: Transfer | None = None,
    merge: ChildMerge | None = None,
) -> Decision:
    """May `actor` do `action` (to `child`, one `involvement` of it, the account `subject`, an `alert`,
    a clerical `review`, a disclosure `export`, a `transfer` between LAs, or undo a `merge` whose
    survivor is `child`)?

    Returns the reason if not, so the person can be told why.
    """
    return _decide(
        _Facts(actor),
        actor=actor,
        action=action,
        child=child,
        involvement=involvement,
        subject=subject,
        alert=alert,
        review=review,
        export=export,
        transfer=transfer,
        merge=merge,
    )


def decide_many(*, actor: User, asks: Iterable[tuple[Permission, Child]]) -> list[Decision]:
    """`decide(actor=actor, action=action, child=child)` for each (action, child), in order.

    The same rules, answered from one query per fact for the whole batch instead of one per child
    and question: the results page asks for every child found, the record page asks several
    questions of one child.
    """
    asked = list(asks)
    facts = _BatchFacts(actor, (child for _, child in asked))
    return [_decide(facts, actor=actor, action=action, child=child) for action, child in asked]


def _decide(
    facts: _Facts,
    *,
    actor: User,
    action: Permission,
    child: Child | None = None,
    involvement: Involvement | None = None,
    subject: User | None = None,
    alert: Alert | None = None,
    review: ClericalReview | None = None,
    export: DisclosureExport | None = None,
    transfer: Transfer | None = None,
    merge: ChildMerge | None = None,
) -> Decision:
    if action == Permission.FeedSubmit:
        return _decide_feed(actor)
    vetted = prerequisites(actor)
    if not vetted:
        return vetted
    if actor.role not in ROLES_BY_PERMISSION[action]:
        return _deny("role_not_permitted")
    if action in AUDIT_PERMISSIONS:
        return _decide_audit(actor, child=child, subject=subject)
    if action in ALERT_PERMISSIONS and actor.role == Role.SYSTEM_ADMIN:
        return _decide_national_alert(actor, alert=alert)
    if action in LA_SCOPED_PERMISSIONS:
        return _decide_la_scoped(actor, subject=subject, alert=alert, child=child)
    if action in ARCHIVE_PERMISSIONS:
        return _decide_archive(actor, action=action, child=child)
    if action == Permission.DataQualityView:
        # Counts for the data manager's own LA: without a home LA there is nothing to count.
        return ALLOW if actor.home_la_id is not None else _deny("no_organisation")
    if action == Permission.ReviewDecide:
        return _decide_review(actor, review=review, child=child)
    if action == Permission.NationalAccountManage:
        return _decide_national_account(actor, subject=subject)
    if action in EXPORT_PERMISSIONS:
        return _decide_export(actor, action=action, export=export, child=child)
    if action in MOVE_PERMISSIONS:
        return _decide_move(actor, action=action, child=child, transfer=transfer)
    if action in (Permission.CorrectionDecide, Permission.ComplaintManage):
        # Queues of the actor's own LA: without a home LA there is nothing to decide or track.
        return ALLOW if actor.home_la_id is not None else _deny("no_organisation")
    if (
        action == Permission.ChildMerge
        and merge is not None
        and merge.duplicate_local_authority_id != actor.home_la_id
    ):
        # Undoing a merge recreates the other record: both must be the team's own LA's.
        return _deny("other_la")
    if child is None:
        return ALLOW
    if child.status == RecordStatus.ARCHIVED:
        return _deny("archived")
    if child.status == RecordStatus.CLOSED:
        return _deny("closed")
    shielded_from_actor = child.shielded and not is_la_team_for(actor, child)
    if action == Permission.ChildView:
        return ALLOW
    if action == Permission.ChildIdentify:
        return _decide_identify(actor, child, facts)
    if action == Permission.ShieldOverride:
        if actor.organisation is None or actor.organisation.kind not in OVERRIDE_HOLDER_KINDS:
            return _deny("no_child_protection_duty")
        return ALLOW if child.shielded else _deny("not_shielded")
    if action == Permission.CorrectionRaise:
        # Anyone who may view the record may say a detail is wrong; which details: correction_raise_decide.
        return ALLOW
    if action == Permission.ComplaintRecord:
        return ALLOW if is_la_team_for(actor, child) else _deny("other_la")
    if action == Permission.ChildMerge:
        # Resolving data matches is the LA team's job, for its own LA's records (shielded included).
        return ALLOW if is_la_team_for(actor, child) else _deny("other_la")
    if action == Permission.InvolvementCease:
        return _decide_cease(actor, child=child, involvement=involvement, shielded=shielded_from_actor)
    if shielded_from_actor:
        return _deny("shielded")
    if action == Permission.InvolvementCoordinate:
        # Acting on a match (proposing or accepting a lead professional, confirming an old involvement,
        # being told how to inform the family) is for the owner of a current involvement, nobody else.
        # And with this child: a match's other side may be another child's (a merge undone since).
        if (
            involvement is not None
            and involvement.recorded_by_id == actor.pk
            and not involvement.ceased
            and (child is None or involvement.child_id == child.pk)
        ):
            return ALLOW
        return _deny("not_own_involvement")
    if action in (Permission.LeadProfessionalSet, Permission.CafSet):
        if is_la_team_for(actor, child) or facts.currently_involved(child):
            return ALLOW
        return _deny("not_involved")
    return ALLOW


def _decide_cease(actor: User, *, child: Child, involvement: Involvement | None, shielded: bool) -> Decision:
    """Ending an involvement: the person who recorded it, or the child's LA team. Roles, vetting and the
    record's state (archived, closed) were already checked.

    Their own involvement with this child even once it is shielded (`shielded`: from this person): domain
    says practitioners mark their own involvement ceased, and ending it reveals nothing they did not write
    (their name, role and start date; the end page shows no more, and the record stays restricted).
    Refused, they stayed shown as working with the child. Anyone else's involvement of a shielded record
    stays with its LA team, and an involvement of another child opens nothing of this one.
    """
    if (
        involvement is not None
        and involvement.recorded_by_id == actor.pk
        and involvement.child_id == child.pk
    ):
        return ALLOW
    if shielded:
        return _deny("shielded")
    return ALLOW if is_la_team_for(actor, child) else _deny("not_own_involvement")


def correction_raise_decide(*, actor: User, child: Child, field: str) -> Decision:
    """May `actor` propose a new value for `field` of `child`? Only a detail they can see.

    A shielded record's location details (address, school, GP, carers' contacts) are hidden from all
    but its own LA team, so nobody else may name one: a correction would be a way to learn or plant
    where the child is. The purpose grant that viewing needs is checked by the page, as for every
    change to a record.
    """
    decision = decide(actor=actor, action=Permission.CorrectionRaise, child=child)
    if not decision:
        return decision
    named = field_for(field)
    if named is None:
        return _deny("not_a_field")
    if named.location and child.shielded and not is_la_team_for(actor, child):
        return _deny("shielded")
    return ALLOW


def correction_decide(*, actor: User, correction: Correction) -> Decision:
    """The owning LA's team or data manager accepts or rejects a correction, never their own.

    Four eyes: whoever raised a correction cannot also accept it. A data manager does not see a
    shielded record's location details, so deciding a correction to one is the LA team's alone.
    """
    decision = decide(actor=actor, action=Permission.CorrectionDecide)
    if not decision:
        return decision
    child = correction.child
    if child.local_authority_id != actor.home_la_id:
        return _deny("other_la")
    if child.status == RecordStatus.ARCHIVED:
        return _deny("archived")
    if child.status == RecordStatus.CLOSED:
        return _deny("closed")  # a new identity: the old record is never opened again
    named = field_for(correction.field)
    if named is not None and named.location and child.shielded and actor.role != Role.LA_TEAM:
        return _deny("correction_shielded")
    if correction.raised_by_id == actor.pk:
        return _deny("own_correction")
    return ALLOW


def complaint_decide(*, actor: User, complaint: Complaint) -> Decision:
    """A complaint is read and progressed by the LA team of the child's LA only."""
    decision = decide(actor=actor, action=Permission.ComplaintManage)
    if not decision:
        return decision
    if complaint.child.local_authority_id != actor.home_la_id:
        return _deny("other_la")
    if complaint.child.status == RecordStatus.CLOSED:
        return _deny("closed")  # a new identity: the old record is never opened again
    return ALLOW


def _decide_feed(actor: User) -> Decision:
    """A feed source is a system, not a person: no vetting, but active, not suspended, registered, and its
    organisation accredited and not closed.

    Its token was already checked (feeds.sources.feed_source_authenticate); this is whether the identity
    behind the token may still submit at all.
    """
    if not actor.is_authenticated:
        return _deny("not_signed_in")
    if not actor.is_active:
        return _deny("inactive")
    if actor.suspended_at is not None:
        return _deny("suspended")
    if actor.role != Role.FEED_SOURCE or not FeedSource.objects.filter(user=actor).exists():
        return _deny("not_a_feed_source")
    organisation = actor.organisation
    if (
        organisation is None
        or organisation.accredited_on is None
        or organisation.accredited_on > timezone.localdate()
    ):
        return _deny("organisation_not_accredited")
    if organisation.closed_on is not None and organisation.closed_on <= timezone.localdate():
        return _deny("organisation_closed")  # as for its staff: closing a body cuts off its systems too
    return ALLOW


def feed_review_write_decide(source: FeedSource, fields: set[str], local_authority_id: int) -> Decision:
    """May a clerical review's link write this source's row into a child of this LA? By the source as it
    is now: it may still submit at all (`FeedSubmit`), and the row is within its fields and LAs. Installed
    into `feeds.review` at start-up (`access.apps`), which sits below this policy."""
    may_submit = decide(actor=source.user, action=Permission.FeedSubmit)
    if not may_submit:
        return may_submit
    return feed_row_decide(source=source, fields=fields, local_authority_id=local_authority_id)


def feed_row_decide(*, source: FeedSource, fields: set[str], local_authority_id: int | None) -> Decision:
    """May `source` supply these fields for a child of this LA? Its declared entitlement, nothing more."""
    outside = sorted(set(fields) - set(source.fields))
    if outside:
        return Decision(False, "field_not_entitled", detail=", ".join(outside))
    if local_authority_id is None or not source.local_authorities.filter(pk=local_authority_id).exists():
        return _deny("la_not_entitled")
    return ALLOW


def _decide_review(actor: User, *, review: ClericalReview | None, child: Child | None = None) -> Decision:
    """Data managers and LA teams resolve their own LA's reviews; a shielded hold is the LA team's alone.

    Roles were already checked. A review held because it could be a shielded child shows that child's
    details side by side, so it is no more visible than the shielded record itself. `child`, one of the
    review's candidates as it is now: one shielded since the review opened makes it the team's alone too.
    """
    if actor.home_la_id is None:
        return _deny("no_organisation")
    if review is None:
        return ALLOW
    if review.local_authority_id != actor.home_la_id:
        return _deny("other_la")
    if (review.shielded_hold or (child is not None and child.shielded)) and actor.role != Role.LA_TEAM:
        return _deny("review_shielded")
    return ALLOW


def _decide_export(
    actor: User, *, action: Permission, export: DisclosureExport | None, child: Child | None = None
) -> Decision:
    """Disclosure exports stay inside the LA team that holds the children: two people, two roles.

    Roles were already checked. The requester never decides their own request (the second pair of
    eyes is the control); only the requester downloads it (the approver never holds the file). Whether
    the request is still pending, or the file still available, is the export's state, not a rule of
    access: `disclosure.services` enforces that and the page says which. A `child` is one an export may
    name only while it is an active record of the LA's: asked for a request (before there is an export),
    or about one child of an export (as the file is built), a child of another LA, archived or closed is
    refused (since the request: its row is withheld).
    """
    if actor.home_la_id is None:
        return _deny("no_organisation")
    if export is not None:
        if export.local_authority_id != actor.home_la_id:
            return _deny("other_la")
        if action == Permission.DisclosureExportDecide and export.requested_by_id == actor.pk:
            return _deny("own_export")
        if action == Permission.DisclosureExportDownload and export.requested_by_id != actor.pk:
            return _deny("not_requester")
    if child is None:
        return ALLOW
    if child.status == RecordStatus.ARCHIVED:
        return _deny("archived")  # the archive is the data manager's
    if child.status == RecordStatus.CLOSED:
        return _deny("closed")  # a new identity: the old one is never disclosed
    if child.local_authority_id != actor.home_la_id:
        return _deny("other_la")  # another LA's child (moved since the request): not this team's to disclose
    return ALLOW


def _decide_move(
    actor: User, *, action: Permission, child: Child | None, transfer: Transfer | None
) -> Decision:
    """Moves, address statements and new identities: the owning LA team, on an active record.

    Roles were already checked. Shielded records are included (the team holds them in full, and a
    shielded child moves too). A transfer is seen by the teams of both LAs and decided by the
    receiving one, once, while the record is still active; nobody decides a request from their own LA.
    While it waits, the sending LA's team alone may withdraw it instead (never the receiving team).
    """
    if actor.home_la_id is None:
        return _deny("no_organisation")
    if transfer is not None:
        if actor.home_la_id not in (transfer.from_la_id, transfer.to_la_id):
            return _deny("other_la")
        child = transfer.child
        if child.status == RecordStatus.CLOSED:
            return _deny("closed")
        if child.status == RecordStatus.ARCHIVED:
            return _deny("archived")  # the archive is the data manager's: the request names the child
        if action == Permission.TransferView:
            return ALLOW
        if action == Permission.TransferWithdraw:
            if actor.home_la_id != transfer.from_la_id:
                return _deny("not_sending_la")
        elif actor.home_la_id != transfer.to_la_id:
            return _deny("not_receiving_la")
        if transfer.status == TransferStatus.WITHDRAWN:
            return _deny("transfer_withdrawn")
        if transfer.status != TransferStatus.PENDING:
            return _deny("transfer_decided")
        return ALLOW
    if child is None:
        return ALLOW
    if child.status == RecordStatus.ARCHIVED:
        return _deny("archived")
    if child.status == RecordStatus.CLOSED:
        return _deny("closed")
    return ALLOW if is_la_team_for(actor, child) else _deny("other_la")


def _decide_identify(actor: User, child: Child, facts: _Facts) -> Decision:
    """May a page name this child to `actor` before a purpose is given (the purpose page)?

    A record can be opened by id alone, and ids leak (URLs, the audit lookup). Naming the child there
    would turn an id into a name with nothing searched, so it shows no more than a search would have:
    the name only to someone whose search returned the child, who recorded an involvement with it,
    or to its own LA team.
    """
    if is_la_team_for(actor, child) or facts.found_by_search(child):
        return ALLOW
    if facts.ever_involved(child):
        return ALLOW
    return _deny("not_found_by_search")


def child_known(*, actor: User, child: Child, ever_involved: bool | None = None) -> bool:
    """May a page tell `actor` what it holds of `child` from its id alone: which LA holds it, that it is
    shielded, archived or closed (a refusal's reason, and whom to ask)?

    To whom the purpose page may name it (`ChildIdentify`'s rule, whatever the record's state): someone
    whose search returned it, who recorded an involvement with it, or its own LA team. A record closed for
    a new identity (adoption, protection) is known to the LA team holding it alone: whoever worked with
    the child under its former identity is who may have kept its id, and the closure is the new
    identity's secret. An archived one (the child turned 18, or died) to its LA team and a practitioner
    involved with it, not to a past searcher: a search is of the living index, and a kept id must not tell
    that the child has left it.

    An LA team on either side of a transfer of an active record knows it too (a search cannot help them,
    and the transfer told them the child and both LAs): the receiving team while the request waits, the
    sending team once accepted while the LA it sent the record to still holds it (it learns nothing new:
    where it sent it), never after the record moved on again, nor after a declined or withdrawn request.

    `ever_involved`: whether `actor` ever recorded an involvement with `child`, when the page read it with
    the child (`access.http.child_by_id`, in the query reading the child: an archived record's id then costs
    no query more than an id that never existed); None: asked here.
    """
    if actor.role not in ROLES_BY_PERMISSION[Permission.ChildIdentify]:
        return False
    if is_la_team_for(actor, child):
        return True
    if child.status == RecordStatus.CLOSED:
        return False
    facts = _Facts(actor) if ever_involved is None else _FactsReadWith(actor, ever_involved=ever_involved)
    if child.status == RecordStatus.ARCHIVED:
        return facts.ever_involved(child)
    if _decide_identify(actor, child, facts).allowed:
        return True
    return actor.role == Role.LA_TEAM and _transfer_counterpart(actor, child)


class _FactsReadWith(_Facts):
    """`_Facts`, with whether the actor ever recorded an involvement with the child already read (with the
    child itself: `access.http.child_by_id`)."""

    def __init__(self, actor: User, *, ever_involved: bool) -> None:
        super().__init__(actor)
        self._ever_involved = ever_involved

    def ever_involved(self, child: Child) -> bool:
        return self._ever_involved


def answered_as_never_existed(*, actor: User, child: Child, known: bool) -> bool:
    """Is `child`'s id answered to `actor` as an id that never existed, whatever the page asked of it?

    A record no longer active (archived, closed), to someone who may identify children but not this one
    (`known`: `child_known`'s answer): no page taking a child's id allows them anything on it, and any
    refusal of it says what an unknown id's says (`child_refusal_told`), so the page answers before any
    more work, as it answers an id that never existed (`access.http.child_by_id`). A role that cannot
    search (data manager, auditor) is answered by its own pages' rules.
    """
    return (
        child.status != RecordStatus.ACTIVE
        and not known
        and actor.role in ROLES_BY_PERMISSION[Permission.ChildIdentify]
    )


def _transfer_counterpart(actor: User, child: Child) -> bool:
    """`actor`'s LA receives a pending transfer of `child`, or sent it the record its holding LA now has."""
    transfers = Transfer.objects.filter(child_id=child.pk)
    pending = transfers.filter(status=TransferStatus.PENDING, to_la_id=actor.home_la_id)
    sent = transfers.filter(
        status=TransferStatus.ACCEPTED, from_la_id=actor.home_la_id, to_la_id=child.local_authority_id
    )
    return pending.exists() or sent.exists()


def asked_why_first(*, actor: User, child: Child, known: bool | None = None) -> bool:
    """Is `actor` asked for a purpose before a page of `child` decides anything about the record?

    The pages changing a record ask the purpose after the record's own rules, so that whoever may act is
    told at once why not (shielded, not involved). To someone who may not identify the child that order
    was an oracle: a shielded child's id answered "shielded" at once, an unshielded one's the purpose page.
    They are asked why first, whatever the record (a view, audited and counted); a record that is not
    active is refused first, as an id that never existed (`child_refusal_told`). `known` is
    `child_known`'s answer if the page already asked it (None: asked here).
    """
    if child.status != RecordStatus.ACTIVE:
        return False
    return not (child_known(actor=actor, child=child) if known is None else known)


def override_asked_decide(*, actor: User, child: Child) -> Decision:
    """May the emergency-access page ask `actor` for a reason to open `child` (before the override)?

    As `ShieldOverride`, but a holder who may not identify the child is not told whether it is shielded:
    the page asks the reason of any active record, and the override itself (`ShieldOverride`, on the
    reason given) refuses an unshielded one without saying why. Only a shielded record is then opened,
    and breaking glass is audited and alerted to its LA team at once.
    """
    decision = decide(actor=actor, action=Permission.ShieldOverride, child=child)
    if decision.reason == "not_shielded" and not child_known(actor=actor, child=child):
        return ALLOW
    return decision


# Refusals that say nothing of the child (about the person, or a detail named in the address that no
# record has): told whoever the child is.
CHILDLESS_REASONS = frozenset({"no_child_protection_duty", "no_organisation", "not_a_field"})


@dataclass(frozen=True)
class ChildRefusal:
    """What a refusal page may say of a refusal about a child: `decision` (the reason shown) and `named`,
    the child whose holding LA it names (its team is whom to ask), if any."""

    decision: Decision
    named: Child | None = None


def child_refusal_told(
    *, actor: User, action: Permission, child: Child | None, refused: Decision, known: bool | None = None
) -> ChildRefusal | None:
    """What the refusal of `action` on `child` may tell `actor`, or None: the answer to an id that never
    existed (`child` is None when the record is no longer there: deleted by a merge or purge since).

    Someone refused for who they are (vetting, a role that may not do `action`) learns nothing of the
    child, and a role that cannot search (data manager, auditor, administrator) is told no LA but their
    own: their pages answer ids themselves. Otherwise only someone who may identify the child
    (`child_known`) is told the reason and, for an active record, which LA holds it (a search would tell
    them). Anyone else is told the same for every child ("Find this child with a search first"), and an
    archived or closed record's id answers as an id that never existed: its state is what a kept id must
    not tell (that the child turned 18, died, or was given a new identity).

    `known` is `child_known`'s answer when the refusing page already asked it of this record as read,
    so that one refusal is one judgement (None: asked here).
    """
    if not prerequisites(actor) or actor.role not in ROLES_BY_PERMISSION[action]:
        return ChildRefusal(refused)
    if actor.role not in ROLES_BY_PERMISSION[Permission.ChildIdentify]:
        return ChildRefusal(refused)
    if child is None:
        return None
    if known is None:
        known = child_known(actor=actor, child=child)
    if known:
        return ChildRefusal(refused, named=child if child.status == RecordStatus.ACTIVE else None)
    if child.status != RecordStatus.ACTIVE:
        return None
    if refused.reason in CHILDLESS_REASONS:
        return ChildRefusal(refused)
    return ChildRefusal(_deny("not_found_by_search"))


def _decide_la_scoped(
    actor: User, *, subject: User | None, alert: Alert | None, child: Child | None
) -> Decision:
    """LA teams manage accounts and alerts of their own LA, never their own account or an alert about them,
    and only practitioners' accounts (LA_MANAGED_ROLES): the rest are the system administrator's.

    A misuse alert about a team member (their own-surname search, say) is the only signal of their
    misuse: a colleague clears it, never the person it is about.

    Roles were already checked. Without a home LA there is nothing the team could act on (and an
    invitation would have no organisation to join), so that is refused before any page is shown.
    """
    if actor.home_la_id is None:
        return _deny("no_organisation")
    if child is not None and child.local_authority_id != actor.home_la_id:
        # A match about another LA's shielded child is that LA team's to broker (the brokering email
        # asks this of each team member; the brokering page lists the team's home LA's matches only).
        return _deny("other_la")
    if alert is not None and alert.national:
        return _deny("national_alert")
    if alert is not None and alert.local_authority_id != actor.home_la_id:
        return _deny("other_la")
    if alert is not None and alert.raised_by_id == actor.pk:
        return _deny("own_alert")
    if subject is None:
        return ALLOW
    if subject.pk == actor.pk:
        return _deny("own_account")
    if subject.home_la_id is None or subject.home_la_id != actor.home_la_id:
        return _deny("other_la")
    if subject.role not in LA_MANAGED_ROLES:
        return _deny("nationally_managed")
    return ALLOW


def _decide_national_alert(actor: User, *, alert: Alert | None) -> Decision:
    """The system administrator's alert queue holds the alerts about accounts they manage (`Alert.national`:
    an LA team member's misuse, which the colleagues it used to reach could not act on), never an alert
    about themselves, and no LA's own alerts. Roles were already checked."""
    if alert is None:
        return ALLOW
    if not alert.national:
        return _deny("la_alert")
    if alert.raised_by_id == actor.pk:
        return _deny("own_alert_national")
    return ALLOW


def _decide_national_account(actor: User, *, subject: User | None) -> Decision:
    """The system administrator looks after national accounts and LA teams, never their own account.

    Roles were already checked. Suspending or closing one's own account (or reinstating it) would let
    one administrator hide from, or undo, the control: another administrator must do it.
    """
    if subject is None:
        return ALLOW
    if subject.pk == actor.pk:
        return _deny("own_account_national")
    if subject.role not in NATIONALLY_MANAGED_ROLES:
        return _deny("not_nationally_managed")
    return ALLOW


def organisation_cut_off_decide(*, actor: User, organisation: Organisation) -> Decision:
    """May `actor` close `organisation`, or take its accreditation away (clear the date or move it to a
    later day)? The directory's administrator (`OrganisationManage`), and never for the organisation their
    own account belongs to: either cuts off their own account and every colleague's in it at the next
    request, with no page to undo it (as for their own account, `own_account_national`: another
    administrator, of another organisation, must do it). Whether the change cuts it off at all is the
    page's reading of the dates; this is who may."""
    decision = decide(actor=actor, action=Permission.OrganisationManage)
    if not decision:
        return decision
    if organisation.pk == actor.organisation_id:
        return _deny("own_organisation")
    return ALLOW


def _decide_archive(actor: User, *, action: Permission, child: Child | None) -> Decision:
    """Data managers read their own LA's archive: freely in its first year, then only statutorily.

    Roles were already checked. A record archived without its archive date (never expected) is treated
    as older than a year, so the stricter rule applies. The statutory route is open at any age of the
    archive: the page asks for the statutory reason and the view is audited with it.
    """
    if child is None:
        return ALLOW
    if child.status != RecordStatus.ARCHIVED:
        return _deny("not_archived")
    if actor.home_la_id is None or actor.home_la_id != child.local_authority_id:
        return _deny("other_la")
    if action == Permission.ArchiveStatutoryView:
        return ALLOW
    archived_on = Archive.objects.filter(child=child).values_list("archived_on", flat=True).first()
    if archived_on is not None and timezone.localdate() < data_manager_window_ends(archived_on):
        return ALLOW
    return _deny("archive_statutory_reason_required")


def _decide_audit(actor: User, *, child: Child | None, subject: User | None) -> Decision:
    """Audit reports and subject access: the LA team sees its own LA, the national auditor all.

    Roles were already checked. The national auditor's scope is national, but its pages show index
    numbers only (never names): that is enforced by what `reports.reports` returns, not here.
    An LA team reads the audit of its own LA's children and of its own LA's users, nothing else, and
    never the activity of a national auditor or system administrator attached to its LA: the reviewer's
    activity (other LAs' children and reports) is read nationally (`NATIONALLY_REVIEWED_ROLES`).
    """
    if actor.role == Role.NATIONAL_AUDITOR:
        return ALLOW
    la_id = actor.home_la_id
    if la_id is None:
        return _deny("other_la")
    if child is not None and child.local_authority_id != la_id:
        return _deny("other_la")
    if subject is not None and subject.home_la_id != la_id:
        return _deny("other_la")
    if subject is not None and subject.role in NATIONALLY_REVIEWED_ROLES:
        return _deny("nationally_managed")
    return ALLOW


@dataclass(frozen=True)
class Visibility:
    """Which parts of a record a permitted viewer sees.

    `viewer_id` is the person looking (None for a report produced for the data subject): a practitioner
    always sees the involvement they recorded themselves, sensitive or not, since it tells them nothing new.
    """

    full: bool
    sensitive_services: bool
    source_issuer_ids: frozenset[int] = field(default_factory=frozenset)
    viewer_id: int | None = None

    def shows_identifier(self, identifier: SourceIdentifier) -> bool:
        """A source identifier's value is for staff of the body that issued it; others learn it is held."""
        return identifier.issuer_id in self.source_issuer_ids


def visibility(*, actor: User, child: Child) -> Visibility:
    """Shielded: restricted view unless LA team of the child's LA. Sensitive services: LA team only.

    Source identifiers: only staff of the body that issued them (their organisation id).
    """
    la_team = is_la_team_for(actor, child)
    full = la_team or not child.shielded
    issuer_ids = frozenset({actor.organisation_id}) if actor.organisation_id else frozenset()
    return Visibility(full=full, sensitive_services=la_team, source_issuer_ids=issuer_ids, viewer_id=actor.pk)


@dataclass(frozen=True)
class IdentifierShown:
    """A source identifier as one viewer may see it: `value` is None when it is held but was issued by
    another body (the page says so, and never shows it)."""

    scheme: str
    value: str | None


def identifiers_shown(*, seen: Visibility, identifiers: Iterable[SourceIdentifier]) -> list[IdentifierShown]:
    """Every identifier held, each with its value only if `seen` allows it (pages comparing records:
    the reviewer learns that a number is held, and from whom to ask, not the number)."""
    return [IdentifierShown(s.scheme, s.value if seen.shows_identifier(s) else None) for s in identifiers]


def override_visibility(*, actor: User) -> Visibility:
    """What break-glass reveals, for that one response: the shielded fields, and no more.

    The emergency is about where the child is and who works with them; sensitive services stay with the
    LA team (who can broker contact), and source identifiers are not part of the emergency.
    """
    return Visibility(full=True, sensitive_services=False, source_issuer_ids=frozenset(), viewer_id=actor.pk)


def archive_visibility(*, child: Child) -> Visibility:
    """What a data manager sees of an archived record: everything but sensitive services (those stay with
    the LA team, who can broker contact) and source identifiers (those stay with the body that issued
    them); of a shielded one, not where the child lived, the carers or the services that would place
    them (its location is for its own LA team alone, as for its corrections and clerical reviews)."""
    return Visibility(full=not child.shielded, sensitive_services=False)


# A subject access report describes sensitive services only as a count withheld (docs/AUDIT.md).
SUBJECT_ACCESS_VISIBILITY = Visibility(full=True, sensitive_services=False)


def disclosure_visibility(*, child: Child) -> Visibility:
    """What a disclosure export may carry of one child: never sensitive services or source identifiers;
    of a shielded child only what any practitioner sees (its location stays with the LA team), whatever
    the request asked for and whoever approved it (`disclosure.fields`)."""
    return Visibility(full=not child.shielded, sensitive_services=False)


def involvement_visible(*, seen: Visibility, item: InvolvementView) -> bool:
    """Sensitive services (sexual health, mental health, substance misuse) only to whom `seen` allows."""
    if not item.is_sensitive or seen.sensitive_services:
        return True
    return seen.viewer_id is not None and item.involvement.recorded_by_id == seen.viewer_id


def involvement_shown(*, actor: User, child: Child, item: InvolvementView) -> bool:
    """May `actor` see this one involvement of `child` where a page lists it outside the record (the
    brokering page's other LA's side): the record's full view, and a sensitive service only as allowed."""
    seen = visibility(actor=actor, child=child)
    return seen.full and involvement_visible(seen=seen, item=item)


def visible_involvements(
    *, seen: Visibility, involvements: Iterable[InvolvementView]
) -> list[InvolvementView]:
    """The one filter every page, list and report applies to a child's involvements."""
    return [item for item in involvements if involvement_visible(seen=seen, item=item)]


def export_approval_stands(export: DisclosureExport) -> bool:
    """Could the colleague who approved `export` still approve it (`disclosure.services.export_availability`)?

    The second pair of eyes is the control: an approver suspended, closed, lapsed, moved to another LA or
    out of the LA team since approving no longer vouches for the file. A request never approved has no
    approval to stand."""
    if export.decided_by is None:
        return False
    return decide(actor=export.decided_by, action=Permission.DisclosureExportDecide, export=export).allowed
