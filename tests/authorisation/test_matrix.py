"""Every URL x every method x every persona x every scenario: the status, the reason, and no side effect.

The expected outcomes are written out here from the rules in domain.md, not computed by the policy, so
a change in `access/policy.py` that loosens a rule fails here. A URL added without a row here, or
without a name, fails `test_every_url_has_a_row_in_the_matrix` / `test_every_url_pattern_has_a_name`.

Each test builds the world once and tries every persona and scenario against it; every attempt runs in
a savepoint that is rolled back (`world.attempt`), so an allowed change never leaks into the next try.
Refused attempts must write exactly one `AccessDenied` event with the reason, show that reason, and
change nothing at all (no involvement, suspension, purpose grant, override, alert change, event). A
refusal about a child the person may not identify shows the same reason for every child, or answers an
archived or closed record as no record (404); its event keeps the policy's reason (`refused_about`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast
from uuid import UUID, uuid4

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from access.policy import NATIONALLY_MANAGED_ROLES
from accounts.models import Invitation, Role, User
from accounts.services import suspension_version
from children.viewing import purpose_grant_store
from corrections.models import Complaint, Correction
from corrections.services import complaint_version
from corrections.tests.deciding import accept_as_shown
from disclosure.models import DisclosureExport
from tests.authorisation.world import (
    ALERT_RAISERS,
    CHILD_SCENARIOS,
    GUARD_REASON,
    GUARD_REDIRECT,
    METHODS,
    NATIONAL_ALERTS,
    PERSONA,
    PERSONAS,
    SCENARIOS,
    Answer,
    MatrixWorld,
    Persona,
    attempt,
)
from tests.invitations import CHECKED_YEAR
from tests.personas import PASSWORD

OK, REDIRECT, SEE_OTHER, DENIED, NOT_FOUND, NOT_ALLOWED = 200, 302, 303, 403, 404, 405
PRACTITIONERS = {Role.PRACTITIONER, Role.OVERRIDE_HOLDER}
VIEWERS = {*PRACTITIONERS, Role.LA_TEAM}
AUDITORS = {Role.LA_TEAM, Role.NATIONAL_AUDITOR}
GET_POST = {"GET", "POST"}
ANY_METHOD = set(METHODS)

# What each view accepts, read from its decorators (require_http_methods / require_POST / class methods).
ACCEPTED: dict[str, set[str]] = {
    "home": ANY_METHOD,  # a plain redirect to the person's start page, whatever the method
    "children:search": GET_POST,
    "children:search_results": {"GET"},
    "children:purpose": GET_POST,
    "children:record": {"GET"},
    "children:involvement_new": GET_POST,
    "children:involvement_end": GET_POST,
    "children:lead_professional": GET_POST,
    "children:caf": GET_POST,
    "children:override": GET_POST,
    "lifecycle:archived_record": GET_POST,
    "lifecycle:archive_find": GET_POST,
    "team:users": {"GET"},
    "team:invite": GET_POST,
    "team:user": {"GET"},
    "team:suspend": GET_POST,
    "team:reinstate": {"POST"},
    "team:close": {"POST"},
    "team:reset_mfa": {"POST"},
    "team:home_postcode": {"POST"},
    "team:background_check": GET_POST,
    "team:resend_invitation": {"POST"},
    "administration:account_resend_invitation": {"POST"},
    "team:correct_invitation_address": {"POST"},
    "administration:account_correct_invitation_address": {"POST"},
    "team:exports": {"GET"},
    "team:export_new": GET_POST,
    "team:export": {"GET"},
    "team:export_decision": {"POST"},
    "team:export_download": {"POST"},
    "oversight:alerts": {"GET"},
    "oversight:alert_acknowledge": {"POST"},
    "audit:index": GET_POST,  # the look-ups post, so no index number or name reaches a URL
    "audit:user_activity": {"GET"},
    "audit:child_access": {"GET"},
    "audit:subject_access": GET_POST,
    "audit:subject_access_pdf": {"POST"},
    "audit:unexplained": {"GET"},
    "audit:export": {"GET"},
    "accounts:login": {"GET", "POST", "PUT"},  # Django's LoginView treats PUT as POST
    "accounts:logout": {"POST"},
    "accounts:mfa": GET_POST,
    "accounts:mfa_enrol": GET_POST,
    "accounts:reauthenticate": GET_POST,
    "accounts:password_change": GET_POST,
    "accounts:passkeys": {"GET"},
    "accounts:invitation": GET_POST,
    "accounts:passkey_registration_begin": {"POST"},
    "accounts:passkey_registration_complete": {"POST"},
    "accounts:passkey_authentication_begin": {"POST"},
    "accounts:passkey_authentication_complete": {"POST"},
    "accounts:passkey_js_catalog": {"GET"},
    "data_quality": {"GET"},
    "service_health": {"GET"},
    "coordination:inbox": {"GET"},
    "coordination:leaflet": {"GET"},
    "coordination:statistics": {"GET"},
    "coordination:brokering": {"GET"},
    "coordination:inform_family": {"GET"},
    "coordination:propose_lead": {"POST"},
    "coordination:accept_lead": {"POST"},
    "coordination:confirm_involvement": {"POST"},
    "linkage:reviews": {"GET"},
    "linkage:review": GET_POST,
    "linkage:merge_find": GET_POST,
    "linkage:merge_compare": GET_POST,
    "linkage:merge_detail": GET_POST,
    "training:course": {"GET"},
    "training:page": {"GET"},
    "training:assessment": GET_POST,
    "administration:home": {"GET"},
    "administration:organisations": {"GET"},
    "administration:organisation_new": GET_POST,
    "administration:organisation": {"GET"},
    "administration:organisation_edit": GET_POST,
    "administration:organisation_close": {"POST"},
    "administration:accounts": {"GET"},
    "administration:account_invite": GET_POST,
    "administration:account": {"GET"},
    "administration:account_suspend": GET_POST,
    "administration:account_reinstate": {"POST"},
    "administration:account_close": {"POST"},
    "administration:account_home_postcode": {"POST"},
    "administration:account_background_check": GET_POST,
    "insight:local": {"GET"},
    "insight:local_csv": {"GET"},
    "insight:national": {"GET"},
    "insight:national_csv": {"GET"},
    "moves:transfers": {"GET"},
    "moves:transfer": GET_POST,
    "moves:transfer_withdraw": GET_POST,
    "moves:transfer_new": GET_POST,
    "moves:address": GET_POST,
    "moves:new_identity": GET_POST,
    "moves:shielding": GET_POST,
    "moves:archive_age": GET_POST,
    "corrections:queue": {"GET"},
    "corrections:mine": {"GET"},
    "corrections:decide": GET_POST,
    "corrections:choose": {"GET"},
    "corrections:propose": GET_POST,
    "corrections:complaints": {"GET"},
    "corrections:complaint_new": GET_POST,
    "corrections:complaint": GET_POST,
}
CHILD_URLS = {
    "children:purpose",
    "children:record",
    "children:involvement_new",
    "children:involvement_end",
    "children:lead_professional",
    "children:caf",
    "children:override",
    "lifecycle:archived_record",
    "coordination:inform_family",
    "audit:child_access",
    "audit:subject_access",
    "audit:subject_access_pdf",
    "moves:transfer_new",
    "moves:address",
    "moves:new_identity",
    "moves:shielding",
    "moves:archive_age",
    "corrections:choose",
    "corrections:propose",
    "corrections:complaint_new",
}
# Moves and identity changes: the owning LA team, on an active record (shielded included).
MOVE_URLS = {
    "moves:transfer_new",
    "moves:address",
    "moves:new_identity",
    "moves:shielding",
    "moves:archive_age",
}
MOVE_HEADING = {
    "moves:transfer_new": "Transfer this record to another local authority</h1>",
    "moves:address": "Where does the child live?</h1>",
    "moves:new_identity": "Create a new identity for this child</h1>",
    "moves:shielding": "this record</h1>",
    "moves:archive_age": "How long should this record be kept?</h1>",
}
# Where an accepted POST goes: the new transfer's page, the record, or search (never the new identity).
MOVE_DONE = {
    "moves:transfer_new": "moves:transfer",
    "moves:address": "children:record",
    "moves:new_identity": "children:search",
    "moves:shielding": "children:record",
    "moves:archive_age": "children:record",
}
# A transfer of the North child to South, waiting: both teams see it, South's decides it, North's alone
# may withdraw it.
TRANSFER_URLS = {"moves:transfer", "moves:transfer_withdraw"}
PURPOSE_FIRST = {
    "children:record",
    "children:involvement_new",
    "children:involvement_end",
    "children:lead_professional",
    "children:caf",
    "corrections:choose",
    "corrections:propose",
}
# A correction to a child detail names the field in its URL: the matrix uses one every viewer can see.
CORRECTED_FIELD = "family_name"
SUBJECT_URLS = {
    "team:user",
    "team:suspend",
    "team:reinstate",
    "team:close",
    "team:reset_mfa",
    "team:home_postcode",
    "team:background_check",
    "team:resend_invitation",
    "team:correct_invitation_address",
    "audit:user_activity",
}
# The system administrator's national accounts: each asked about a national auditor (nadia), an LA team
# member (lena), a practitioner (alice, her LA team's to look after) and the persona's own account.
NATIONAL_SUBJECT_URLS = {
    "administration:account",
    "administration:account_suspend",
    "administration:account_reinstate",
    "administration:account_close",
    "administration:account_home_postcode",
    "administration:account_background_check",
    "administration:account_resend_invitation",
    "administration:account_correct_invitation_address",
}
NATIONAL_SUBJECTS = ("nadia", "lena", "alice")
# The organisation directory: one entry (North's GP practice), for the system administrator only.
ORGANISATION_URLS = {
    "administration:organisation",
    "administration:organisation_edit",
    "administration:organisation_close",
}
ALERT_URLS = {"oversight:alert_acknowledge"}
# A disclosure export of North's children, in each state that matters (see `_exports`): lena's own
# request waiting, her colleague leo's request waiting, and lena's request approved by leo.
EXPORT_URLS = {"team:export", "team:export_decision", "team:export_download"}
EXPORTS = {"lena_pending": "lena", "leo_pending": "leo", "lena_approved": "lena"}
# Acting on a match between alice (North child) and carol, a teacher who is no persona here.
MATCH_URLS = {"coordination:propose_lead", "coordination:accept_lead", "coordination:confirm_involvement"}
# A clerical review of a feed record, North's (a possible match, not a shielded hold).
REVIEW_URLS = {"linkage:review"}
REVIEWERS = {Role.LA_TEAM, Role.DATA_MANAGER}
# A pending correction to the North child's family name, raised by alice; a complaint about that child.
CORRECTION_URLS = {"corrections:decide"}
COMPLAINT_URLS = {"corrections:complaint"}
CORRECTION_DECIDERS = {Role.LA_TEAM, Role.DATA_MANAGER}
# Merging two North records (compare), and a merge of two North records (detail, where it is undone).
MERGE_URLS = {"linkage:merge_compare", "linkage:merge_detail"}
MERGE_HEADING = {
    "linkage:merge_compare": "Are these the same child?</h1>",
    "linkage:merge_detail": "Undo this merge</h2>",
}
# The feeds API answers feed sources' bearer tokens only: a browser session is not a token (401),
# whoever holds it; the schema is public. (signed in, anonymous). Token tests: feeds/tests/test_api.py.
API_URLS = {
    "feeds_api:api-root": (NOT_FOUND, NOT_FOUND),
    "feeds_api:openapi-json": (OK, OK),
    "feeds_api:batch_submit": (401, 401),
    "feeds_api:batch_status": (401, 401),
}
PLAIN_URLS = {
    "home",
    "children:search",
    "accounts:mfa",
    "accounts:mfa_enrol",
    "accounts:reauthenticate",
    "accounts:passkeys",
    "accounts:password_change",
    "team:users",
    "team:invite",
    "team:exports",
    "team:export_new",
    "oversight:alerts",
    "audit:index",
    "audit:unexplained",
    "audit:export",
    "data_quality",
    "lifecycle:archive_find",
    "service_health",
    "coordination:inbox",
    "coordination:leaflet",
    "coordination:statistics",
    "coordination:brokering",
    "linkage:reviews",
    "administration:home",
    "administration:organisations",
    "administration:organisation_new",
    "administration:accounts",
    "administration:account_invite",
    "insight:local",
    "insight:local_csv",
    "insight:national",
    "insight:national_csv",
    "moves:transfers",
    "corrections:queue",
    "corrections:mine",
    "corrections:complaints",
    "linkage:merge_find",
}
# A search's results page, by the random search id the search redirected to (kept in the session).
SEARCH_RESULT_URLS = {"children:search_results"}
# The training course: every signed-in person past the second factor, including one whose training lapsed.
TRAINING_URLS = {"training:course", "training:page", "training:assessment"}
OPEN_URLS = {"accounts:login", "accounts:logout", "accounts:invitation"}
PASSKEY_URLS = {
    "accounts:passkey_registration_begin",
    "accounts:passkey_registration_complete",
    "accounts:passkey_authentication_begin",
    "accounts:passkey_authentication_complete",
    "accounts:passkey_js_catalog",
}
# Enough of each refusal message to show the person was told why (the page also carries data-reason).
REASON_WORDS = {
    "role_not_permitted": "Your role does not allow this",
    "shielded": "This record is shielded",
    "not_own_involvement": "only change involvement that you recorded",
    "not_involved": "Only practitioners currently involved with this child",
    "not_shielded": "This record is not shielded",
    "other_la": "This belongs to another local authority",
    "own_account": "You cannot change your own account",
    "own_alert": "You cannot acknowledge an alert about yourself",
    "own_alert_national": "You cannot acknowledge an alert about yourself. Ask another system administrator",
    "national_alert": "This alert is about an account the system administrator looks after",
    "la_alert": "This alert is for the local authority",
    "own_export": "You cannot approve or refuse your own export request",
    "not_requester": "Only the person who asked for this export can download it",
    "suspended": "Your account is suspended",
    "training_lapsed": "Your ContactPoint training has expired",
    "archived": "This record has been archived",
    "not_archived": "This record is not archived",
    "own_account_national": "Ask another system administrator",
    "not_nationally_managed": "looked after by its local authority",
    "closed": "This record has been closed",
    "not_receiving_la": "Only the ContactPoint team of the local authority asked to take over",
    "not_sending_la": "Only the ContactPoint team of the local authority that asked can withdraw",
    "not_found_by_search": "Find this child with a search first",
}


@dataclass(frozen=True)
class Expect:
    status: int
    reason: str | None = None  # for a refusal: the reason the person is shown
    to: str | None = None  # for a redirect: the URL name it goes to (with the same child/subject)
    changes: bool = False  # an allowed POST with a valid form must change something
    shows: str = ""  # for a 200: a string only the expected page carries (not an error page)
    # A refusal told otherwise than the policy's reason (a child the person may not identify: the generic
    # refusal, or an archived or closed record's 404): the reason its one AccessDenied event keeps.
    audited: str | None = None


PAGE_QUESTION = {
    "children:lead_professional": "Who is the lead professional?",
    "children:caf": "Has a Common Assessment (CAF) been completed?",
}
PAGE_HEADING = {
    "team:users": "Accounts in your local authority</h1>",
    "team:invite": "Invite a user</h1>",
    "team:exports": "Disclosure exports</h1>",
    "team:export_new": "Request a disclosure export</h1>",
    "oversight:alerts": "Alerts for your local authority</h1>",
    "audit:index": "Audit reports</h1>",
    "audit:unexplained": "Records opened without a search or an involvement</h1>",
    "audit:export": "day,event,tag,organisation,count",
    "coordination:inbox": "Your matches</h1>",
    "coordination:leaflet": "information for children, young people and families</h1>",
    "coordination:statistics": "Matches in your local authority</h1>",
    "coordination:brokering": "Matches about shielded children</h1>",
    "linkage:reviews": "Records waiting for a decision</h1>",
    "administration:home": "System administration</h1>",
    "administration:organisations": "Organisations</h1>",
    "administration:organisation_new": "Add an organisation</h1>",
    "administration:accounts": "National accounts</h1>",
    "administration:account_invite": "Invite a user to a national account</h1>",
    "insight:local": "Management information for your local authority</h1>",
    "insight:local_csv": "table,row,column,figure",
    "insight:national": "Management information for England</h1>",
    "insight:national_csv": "table,row,column,figure",
    "moves:transfers": "Transfers between local authorities</h1>",
    "corrections:queue": "Corrections waiting for a decision</h1>",
    "corrections:mine": "Your corrections</h1>",
    "corrections:complaints": "Complaints</h1>",
    "linkage:merge_find": "Merge two records of the same child</h1>",
}
ADMINISTRATION_POSTED_TO = {
    "administration:organisation_new": "administration:organisation",
    "administration:account_invite": "administration:accounts",
}


def refused(reason: str) -> Expect:
    return Expect(DENIED, reason)


def knows_of(p: Persona, scenario: str) -> bool:
    """May `p` identify the child (`access.policy.child_known`): their search found it (none does here),
    they recorded an involvement with it, or it is their LA team's; a closed record, its LA team's alone."""
    child = SCENARIOS[scenario]
    own_team = p.role == Role.LA_TEAM and p.la == child.la
    involved = p.name == "alice" or (p.name == "bob" and child.sensitive)
    return p.role in VIEWERS and (own_team if child.closed else own_team or involved)


def refused_about(p: Persona, scenario: str, reason: str) -> Expect:
    """A refusal on the record itself (review, session 37): its reason to whoever may identify the child;
    to anyone else the same refusal for every child, and an archived or closed record answers as an id
    that never existed (404). Each is audited with the policy's reason. A role that cannot search (data
    manager, auditor, administrator) is told the reason as before."""
    child = SCENARIOS[scenario]
    if p.role not in VIEWERS or knows_of(p, scenario):
        return refused(reason)
    if child.archived or child.closed:
        return Expect(NOT_FOUND, audited=reason)
    return Expect(DENIED, "not_found_by_search", audited=reason)


def guard_expect(url: str, p: Persona) -> Expect | None:
    """The account guard's answer: suspended accounts are refused on every page; lapsed training is sent
    to the course on every page but the course's own (and the pages the guard does not cover)."""
    if p.status == "ok" or url in GUARDLESS:
        return None
    if p.status in GUARD_REDIRECT:
        return None if url in TRAINING_URLS else Expect(REDIRECT, to=GUARD_REDIRECT[p.status])
    return refused(GUARD_REASON[p.status])


def _guarded(url: str, method: str, p: Persona) -> Expect | None:
    """Suspended accounts are refused and lapsed ones sent to the course on every page (guard_expect);
    other methods than accepted get 405."""
    if guarded := guard_expect(url, p):
        return guarded
    if method not in ACCEPTED[url]:
        return Expect(NOT_ALLOWED)
    return None


def expected_child(url: str, method: str, p: Persona, scenario: str, purpose_held: bool) -> Expect:
    """The answer to `p` on a child URL, from domain.md. The involvement used is alice's."""
    if guarded := _guarded(url, method, p):
        return guarded
    child = SCENARIOS[scenario]
    own_team = p.role == Role.LA_TEAM and p.la == child.la
    shielded_from_p = child.shielded and not own_team
    # alice is involved with every child; bob with the children where he recorded a sensitive service
    involved = p.name == "alice" or (p.name == "bob" and child.sensitive)
    post = method == "POST"

    def once_purpose_stated(done: Expect) -> Expect:
        return done if purpose_held else Expect(REDIRECT, to="children:purpose")

    def told(reason: str) -> Expect:
        return refused_about(p, scenario, reason)

    def told_on_change(reason: str) -> Expect:
        """The change pages: whoever may not identify the child is asked why first, whatever the record."""
        return told(reason) if knows_of(p, scenario) else once_purpose_stated(told(reason))

    changed_then_record = Expect(REDIRECT, to="children:record", changes=True)
    if url in MOVE_URLS:  # the owning LA team, on an active record, shielded or not
        if p.role != Role.LA_TEAM:
            return refused("role_not_permitted")
        if child.archived:
            return told("archived")
        if child.closed:
            return told("closed")
        if not own_team:
            return told("other_la")
        return (
            Expect(REDIRECT, to=MOVE_DONE[url], changes=True) if post else Expect(OK, shows=MOVE_HEADING[url])
        )
    if url == "lifecycle:archived_record":  # the archive: data managers of the child's LA, archived only
        if p.role != Role.DATA_MANAGER:
            return refused("role_not_permitted")
        if not child.archived or p.la != child.la:
            # As an id naming no one, with its work: no oracle for a role that cannot search, the look-up
            # counted, one refusal audited naming no child (`lifecycle.views._archived_record_or_404`).
            return Expect(NOT_FOUND, audited="no_such_record")
        # archived today: the first year, so a purpose suffices; the record is shown once, audited
        return Expect(
            OK,
            changes=post,
            shows=f"{child.name}</h1>" if post else "Why are you opening this archived record",
        )
    if url == "coordination:inform_family":  # the owner of a current involvement with this child only
        if p.role not in PRACTITIONERS:
            return refused("role_not_permitted")
        if child.archived:
            return told("archived")
        if child.closed:
            return told("closed")
        if shielded_from_p:
            return told("shielded")
        if not involved:
            return told("not_own_involvement")
        return Expect(OK, shows="Tell the family about your involvement</h1>")
    if child.archived and url.startswith("children:"):
        # nobody opens or changes an archived record through the practitioner pages, break-glass included
        if url == "children:override" and p.role != Role.OVERRIDE_HOLDER:
            return refused("role_not_permitted")
        if url == "children:involvement_new" and p.role not in PRACTITIONERS:
            return refused("role_not_permitted")
        return told("archived") if p.role in VIEWERS else refused("role_not_permitted")
    if child.closed and url.startswith("children:"):
        # a closed identity is opened by nobody, break-glass included (its audit stays readable)
        if url == "children:override" and p.role != Role.OVERRIDE_HOLDER:
            return refused("role_not_permitted")
        if url == "children:involvement_new" and p.role not in PRACTITIONERS:
            return refused("role_not_permitted")
        return told("closed") if p.role in VIEWERS else refused("role_not_permitted")
    if url == "children:purpose":
        if p.role not in VIEWERS:
            return refused("role_not_permitted")
        return Expect(REDIRECT, to="children:record") if post else Expect(OK, shows="Why are you looking")
    if url == "children:record":
        if p.role not in VIEWERS:
            return refused("role_not_permitted")
        return once_purpose_stated(Expect(OK, shows=f'<h1 class="govuk-heading-l">{child.name}</h1>'))
    if url == "children:involvement_new":
        if p.role not in PRACTITIONERS:
            return refused("role_not_permitted")
        if shielded_from_p:
            return told_on_change("shielded")
        return once_purpose_stated(
            changed_then_record if post else Expect(OK, shows="Record your involvement</h1>")
        )
    if url == "children:involvement_end":
        if p.role not in VIEWERS:
            return refused("role_not_permitted")
        if shielded_from_p and p.name != "alice":  # the recorder may always end their own involvement
            return told("shielded")
        if not (own_team or p.name == "alice"):
            return told("not_own_involvement")
        return once_purpose_stated(
            changed_then_record if post else Expect(OK, shows="Mark involvement as ended</h1>")
        )
    if url in ("children:lead_professional", "children:caf"):
        if p.role not in VIEWERS:
            return refused("role_not_permitted")
        if shielded_from_p:
            return told_on_change("shielded")
        if not (own_team or involved):
            return told_on_change("not_involved")
        return once_purpose_stated(changed_then_record if post else Expect(OK, shows=PAGE_QUESTION[url]))
    if url == "children:override":
        if p.role != Role.OVERRIDE_HOLDER:
            return refused("role_not_permitted")
        if not child.shielded and (knows_of(p, scenario) or post):
            # by id alone the reason is asked whether or not the record is shielded: only the override tells
            return told("not_shielded")
        # GET: the warning and form; POST: the record, once, under the emergency warning
        return Expect(OK, changes=post, shows='id="override-warning"' if post else "shielded record</h1>")
    if url in ("corrections:choose", "corrections:propose"):
        # whoever may view the record may say a detail they can see is wrong, with a stated purpose
        if p.role not in VIEWERS:
            return refused("role_not_permitted")
        if child.archived:
            return told("archived")
        if child.closed:  # a closed identity is opened by nobody, so nobody says a detail of it is wrong
            return told("closed")
        if url == "corrections:choose":
            return once_purpose_stated(Expect(OK, shows="Which detail is wrong?</h1>"))
        return once_purpose_stated(
            Expect(REDIRECT, to="corrections:mine", changes=True)
            if post
            else Expect(OK, shows="Correct the family name</h1>")
        )
    if url == "corrections:complaint_new":  # the LA team of the child's own LA records complaints
        if p.role != Role.LA_TEAM:
            return refused("role_not_permitted")
        if child.archived:
            return told("archived")
        if child.closed:
            return told("closed")
        if not own_team:
            return told("other_la")
        return (
            Expect(REDIRECT, to="corrections:complaint", changes=True)
            if post
            else Expect(OK, shows="Record a complaint</h1>")
        )
    if url == "audit:child_access":  # national scope for the auditor, own LA for the LA team
        if p.role not in AUDITORS:
            return refused("role_not_permitted")
        allowed = p.role == Role.NATIONAL_AUDITOR or own_team
        return Expect(OK, shows="Access to a child's record") if allowed else told("other_la")
    if url in ("audit:subject_access", "audit:subject_access_pdf"):
        if p.role != Role.LA_TEAM:
            return refused("role_not_permitted")
        if not own_team:
            return told("other_la")
        if url == "audit:subject_access_pdf":
            return Expect(OK, changes=True, shows="%PDF")
        return Expect(
            OK, changes=post, shows="Subject access report</h1>" if post else "Subject access request</h1>"
        )
    raise AssertionError(f"no rule for {url}")


# The renewed background check's own page (a form with a GOV.UK date input), on both sets of account pages.
BACKGROUND_CHECK_HEADING = "Record a renewed enhanced background check</h1>"


def expected_subject(url: str, method: str, p: Persona, subject: str) -> Expect:
    """The answer on an account page about `subject` (alice in North, bob in South, or `p` itself)."""
    if guarded := _guarded(url, method, p):
        return guarded
    subject_la = p.la if subject == p.name else PERSONA[subject].la
    heading = f"{subject.capitalize()} Example</h1>"
    if url == "audit:user_activity":
        if p.role not in AUDITORS:
            return refused("role_not_permitted")
        allowed = p.role == Role.NATIONAL_AUDITOR or subject_la == p.la
        return Expect(OK, shows=heading) if allowed else refused("other_la")
    if p.role != Role.LA_TEAM:
        return refused("role_not_permitted")
    if subject == p.name:
        return refused("own_account")
    if subject_la != p.la:
        return refused("other_la")
    if url == "team:user" or (url == "team:suspend" and method == "GET"):
        return Expect(OK, shows=heading)
    if url == "team:background_check" and method == "GET":
        return Expect(OK, shows=BACKGROUND_CHECK_HEADING)
    return Expect(REDIRECT, to="team:user", changes=True)


def expected_alert(url: str, method: str, p: Persona, key: str) -> Expect:
    """Acknowledging alert `key` (its LA is the first letter; ALERT_RAISERS says whom it is about)."""
    if guarded := _guarded(url, method, p):
        return guarded
    national = key in NATIONAL_ALERTS  # about an LA team member: the system administrator's queue
    if p.role == Role.SYSTEM_ADMIN:
        if not national:
            return refused("la_alert")
        if ALERT_RAISERS[key] == p.name:
            return refused("own_alert_national")
        return Expect(REDIRECT, to="oversight:alerts", changes=True)
    if p.role != Role.LA_TEAM:
        return refused("role_not_permitted")
    if national:
        return refused("national_alert")
    if key[0] != p.la:
        return refused("other_la")
    if ALERT_RAISERS[key] == p.name:  # nobody clears an alert about themselves: a colleague must
        return refused("own_alert")
    return Expect(REDIRECT, to="oversight:alerts", changes=True)


def expected_plain(url: str, method: str, p: Persona) -> Expect:
    if guarded := _guarded(url, method, p):
        return guarded
    post = method == "POST"
    start_page = (
        "children:search"
        if p.role in VIEWERS
        else "audit:index"
        if p.role in AUDITORS
        else "data_quality"
        if p.role == Role.DATA_MANAGER
        else "administration:home"
        if p.role == Role.SYSTEM_ADMIN
        else "accounts:passkeys"
    )
    if url == "home":
        return Expect(REDIRECT, to=start_page)
    if (
        url == "children:search"
    ):  # a POST with valid criteria runs (and audits) a search, then shows its results
        if p.role not in VIEWERS:
            return refused("role_not_permitted")
        return (
            Expect(SEE_OTHER, to="children:search_results", changes=True)
            if post
            else Expect(OK, shows="Find a child</h1>")
        )
    if url == "accounts:mfa":  # signed in already: no code taken (step-up is accounts:reauthenticate)
        return Expect(REDIRECT, to="home")
    if url == "accounts:reauthenticate":  # a wrong password shows the form again, and the failure is audited
        return Expect(OK, changes=post, shows="Confirm it is you</h1>")
    if url == "accounts:mfa_enrol":  # already enrolled: back to the code page
        return Expect(REDIRECT, to="accounts:mfa")
    if url == "accounts:passkeys":
        return Expect(OK, shows="Security keys and passkeys</h1>")
    if url == "accounts:password_change":  # anyone signed in, for their own account only
        return (
            Expect(REDIRECT, to="home", changes=True)
            if post
            else Expect(OK, shows="Change your password</h1>")
        )
    if url == "oversight:alerts" and p.role == Role.SYSTEM_ADMIN:  # the alerts about accounts they manage
        return Expect(OK, shows="Alerts about accounts you manage</h1>")
    if url in ("team:users", "team:invite", "oversight:alerts"):
        if p.role != Role.LA_TEAM:
            return refused("role_not_permitted")
        return (
            Expect(REDIRECT, to="team:users", changes=True) if post else Expect(OK, shows=PAGE_HEADING[url])
        )
    if url in ("team:exports", "team:export_new"):  # the LA team; a valid request leads to its new page
        if p.role != Role.LA_TEAM:
            return refused("role_not_permitted")
        if post:
            return Expect(REDIRECT, to="team:export", changes=True)
        return Expect(OK, shows=PAGE_HEADING[url])
    if url == "audit:index":
        # the reports menu; a POST looks North's child up by its index number, audited, so it changes
        # something: North's team and the national auditor are sent (303) to its report by id, South's
        # team is told no record has that number, exactly as for a number nobody has
        if p.role not in AUDITORS:
            return refused("role_not_permitted")
        if not post:
            return Expect(OK, shows=PAGE_HEADING[url])
        if p.role == Role.NATIONAL_AUDITOR or p.la == "N":
            return Expect(SEE_OTHER, to="audit:child_access", changes=True)
        return Expect(OK, changes=True, shows="No record has that index number")
    if url in ("audit:unexplained", "audit:export"):
        return Expect(OK, shows=PAGE_HEADING[url]) if p.role in AUDITORS else refused("role_not_permitted")
    if url == "data_quality":
        ok = Expect(OK, changes=True, shows="Records needing correction</h1>")
        return ok if p.role == Role.DATA_MANAGER else refused("role_not_permitted")
    if url == "lifecycle:archive_find":
        # data managers only; North's archived child's index number leads (303) to its archive page,
        # which asks why before it opens: the look-up itself is audited, so a POST changes something
        if p.role != Role.DATA_MANAGER:
            return refused("role_not_permitted")
        if post:
            return Expect(SEE_OTHER, to="lifecycle:archived_record", changes=True)
        return Expect(OK, shows="Find an archived record</h1>")
    if url == "service_health":
        ok = Expect(OK, changes=True, shows="Service health</h1>")
        return ok if p.role == Role.SYSTEM_ADMIN else refused("role_not_permitted")
    if url in ("coordination:inbox", "coordination:leaflet"):  # practitioners' own inbox; the leaflet
        return (
            Expect(OK, shows=PAGE_HEADING[url]) if p.role in PRACTITIONERS else refused("role_not_permitted")
        )
    if url in ("coordination:statistics", "coordination:brokering"):  # the LA team, its own LA's figures
        return (
            Expect(OK, shows=PAGE_HEADING[url]) if p.role == Role.LA_TEAM else refused("role_not_permitted")
        )
    if url in ("insight:local", "insight:local_csv"):  # the LA team, its own LA's suppressed figures
        return (
            Expect(OK, shows=PAGE_HEADING[url]) if p.role == Role.LA_TEAM else refused("role_not_permitted")
        )
    if url in ("insight:national", "insight:national_csv"):  # the national auditor, every LA
        ok = Expect(OK, shows=PAGE_HEADING[url])
        return ok if p.role == Role.NATIONAL_AUDITOR else refused("role_not_permitted")
    if url == "linkage:reviews":  # the LA team and data manager of an LA resolve its feed records
        return Expect(OK, shows=PAGE_HEADING[url]) if p.role in REVIEWERS else refused("role_not_permitted")
    if url == "moves:transfers":  # each LA team, its own LA's transfers in and out
        return (
            Expect(OK, shows=PAGE_HEADING[url]) if p.role == Role.LA_TEAM else refused("role_not_permitted")
        )
    if url == "corrections:queue":  # the LA team and data manager decide their own LA's corrections
        may = p.role in CORRECTION_DECIDERS
        return Expect(OK, shows=PAGE_HEADING[url]) if may else refused("role_not_permitted")
    if url == "corrections:mine":  # whoever may raise a correction sees their own
        return Expect(OK, shows=PAGE_HEADING[url]) if p.role in VIEWERS else refused("role_not_permitted")
    if url == "corrections:complaints":  # the LA team tracks its own LA's complaints
        return (
            Expect(OK, shows=PAGE_HEADING[url]) if p.role == Role.LA_TEAM else refused("role_not_permitted")
        )
    if url == "linkage:merge_find":  # resolving data matches is the LA team's; an empty form is an error
        if p.role != Role.LA_TEAM:
            return refused("role_not_permitted")
        return Expect(400) if post else Expect(OK, shows=PAGE_HEADING[url])
    if url.startswith("administration:"):  # the system administrator's pages: nobody else's
        if p.role != Role.SYSTEM_ADMIN:
            return refused("role_not_permitted")
        if post:
            return Expect(REDIRECT, to=ADMINISTRATION_POSTED_TO[url], changes=True)
        return Expect(OK, shows=PAGE_HEADING[url])
    raise AssertionError(f"no rule for {url}")


def expected_organisation(url: str, method: str, p: Persona) -> Expect:
    """North's GP practice in the directory: the system administrator sees, changes and closes it."""
    if guarded := _guarded(url, method, p):
        return guarded
    if p.role != Role.SYSTEM_ADMIN:
        return refused("role_not_permitted")
    if method == "POST":
        return Expect(REDIRECT, to="administration:organisation", changes=True)
    if url == "administration:organisation_edit":
        return Expect(OK, shows="Change North Road Surgery</h1>")
    return Expect(OK, shows="North Road Surgery</h1>")


def expected_national_subject(url: str, method: str, p: Persona, subject: str) -> Expect:
    """A national account page about `subject`: the system administrator's, never about themselves, and
    only for national roles and LA teams (a practitioner is their LA team's to look after)."""
    if guarded := _guarded(url, method, p):
        return guarded
    if p.role != Role.SYSTEM_ADMIN:
        return refused("role_not_permitted")
    if subject == p.name:
        return refused("own_account_national")
    if PERSONA[subject].role not in NATIONALLY_MANAGED_ROLES:
        return refused("not_nationally_managed")
    if url == "administration:account" or (url == "administration:account_suspend" and method == "GET"):
        return Expect(OK, shows=f"{subject.capitalize()} Example</h1>")
    if url == "administration:account_background_check" and method == "GET":
        return Expect(OK, shows=BACKGROUND_CHECK_HEADING)
    return Expect(REDIRECT, to="administration:account", changes=True)


def expected_export(url: str, method: str, p: Persona, key: str) -> Expect:
    """A North disclosure export `key` (EXPORTS says who asked): its own LA team only; the asker never
    decides it, and only the asker downloads it, once approved."""
    if guarded := _guarded(url, method, p):
        return guarded
    if p.role != Role.LA_TEAM:
        return refused("role_not_permitted")
    if p.la != "N":
        return refused("other_la")
    mine = EXPORTS[key] == p.name
    if url == "team:export":
        return Expect(OK, shows="Disclosure export</h1>")
    if url == "team:export_decision":
        return refused("own_export") if mine else Expect(REDIRECT, to="team:export", changes=True)
    if not mine:
        return refused("not_requester")
    if key == "lena_approved":  # the encrypted file (a ZIP starts "PK"), counted and audited
        return Expect(OK, changes=True, shows="PK")
    return Expect(REDIRECT, to="team:export")  # not approved yet: back to its page, nothing happens


def expected_transfer(url: str, method: str, p: Persona) -> Expect:
    """North's request to hand its child to South: both teams see it; South's team alone decides it;
    North's team alone may withdraw it (a confirmation page, then back to the request's page)."""
    if guarded := _guarded(url, method, p):
        return guarded
    if p.role != Role.LA_TEAM:
        return refused("role_not_permitted")
    if url == "moves:transfer_withdraw":
        if p.la != "N":
            return refused("not_sending_la")
        if method == "GET":
            return Expect(OK, shows="Withdraw this transfer request</h1>")
        return Expect(REDIRECT, to="moves:transfer", changes=True)
    if method == "GET":
        return Expect(OK, shows="Transfer of a record</h1>")
    if p.la != "S":
        return refused("not_receiving_la")
    return Expect(REDIRECT, to="moves:transfers", changes=True)


def expected_merge(url: str, method: str, p: Persona) -> Expect:
    """North's records: only North's LA team may merge or undo; a POST without a reason is an error (400),
    and the comparison shown again with it is a look at both records, audited as the first one was."""
    if guarded := _guarded(url, method, p):
        return guarded
    if p.role != Role.LA_TEAM:
        return refused("role_not_permitted")
    if p.la != "N":  # North's records, which South's team never found: nothing said of them
        return refused_about(p, "north", "other_la")
    if method == "POST":
        return Expect(400, changes=url == "linkage:merge_compare")
    return Expect(OK, shows=MERGE_HEADING[url])


def expected_review(url: str, method: str, p: Persona) -> Expect:
    """North's open review; a POST without a decision shows the page again with an error (400)."""
    if guarded := _guarded(url, method, p):
        return guarded
    if p.role not in REVIEWERS:
        return refused("role_not_permitted")
    if p.la != "N":
        return refused("other_la")
    return Expect(
        400 if method == "POST" else OK, shows="Is this incoming record one of these children?</h1>"
    )


def expected_correction(url: str, method: str, p: Persona) -> Expect:
    """alice's pending correction to the North child: North's LA team or data manager decide it."""
    if guarded := _guarded(url, method, p):
        return guarded
    if p.role not in CORRECTION_DECIDERS:
        return refused("role_not_permitted")
    if p.la != "N":  # a correction to the North child, which South's team never found: nothing said of it
        return refused_about(p, "north", "other_la")
    if method == "POST":
        return Expect(REDIRECT, to="corrections:queue", changes=True)
    return Expect(OK, shows="Decide a correction</h1>")


def expected_complaint(url: str, method: str, p: Persona) -> Expect:
    """A complaint about the North child: North's LA team alone reads and progresses it."""
    if guarded := _guarded(url, method, p):
        return guarded
    if p.role != Role.LA_TEAM:
        return refused("role_not_permitted")
    if p.la != "N":  # a complaint about the North child, which South's team never found: nothing said of it
        return refused_about(p, "north", "other_la")
    if method == "POST":
        return Expect(REDIRECT, to="corrections:complaint", changes=True)
    return Expect(OK, shows="Complaint</h1>")


def expected_search_results(url: str, method: str, p: Persona) -> Expect:
    """Someone else's, an expired or an unknown search id: the empty search form, with a notice."""
    if guarded := _guarded(url, method, p):
        return guarded
    if p.role not in VIEWERS:
        return refused("role_not_permitted")
    return Expect(OK, shows='id="results-expired"')


TRAINING_HEADING = {
    "training:course": "ContactPoint training</h1>",
    "training:page": "Why you may look at a child&#x27;s record</h1>",
    # A new session has opened no course page yet: the assessment says which sections are left.
    "training:assessment": "Read the whole course before the assessment</h1>",
}


def expected_training(url: str, method: str, p: Persona) -> Expect:
    """Any signed-in role may take the course, a lapsed one too; a suspended account is refused. A POST
    of answers before the course was read or any questions were drawn is sent back to the assessment,
    marking nothing."""
    if guarded := _guarded(url, method, p):
        return guarded
    if method == "POST":
        return Expect(REDIRECT, to="training:assessment")
    return Expect(OK, shows=TRAINING_HEADING[url])


def expected_match(url: str, method: str, p: Persona) -> Expect:
    """alice and carol share a client match about the North child; carol has offered to lead."""
    if guarded := _guarded(url, method, p):
        return guarded
    if p.role not in PRACTITIONERS:
        return refused("role_not_permitted")
    if p.name != "alice":  # only a side of the match, with a current involvement, acts on it
        if url == "coordination:confirm_involvement":  # refused on the North child itself: nothing said of it
            return refused_about(p, "north", "not_own_involvement")
        return refused("not_own_involvement")  # refused on the match: says nothing of the child
    return Expect(REDIRECT, to="coordination:inbox", changes=True)


def _named_urls(patterns: list, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_urls(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def _unnamed_patterns(patterns: list, prefix: str = "") -> list[str]:
    unnamed = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            unnamed += _unnamed_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif pattern.name is None:
            unnamed.append(prefix + str(pattern.pattern))
    return unnamed


ROWS = (
    CHILD_URLS
    | TRANSFER_URLS
    | SUBJECT_URLS
    | NATIONAL_SUBJECT_URLS
    | ORGANISATION_URLS
    | ALERT_URLS
    | EXPORT_URLS
    | MATCH_URLS
    | REVIEW_URLS
    | MERGE_URLS
    | PLAIN_URLS
    | SEARCH_RESULT_URLS
    | OPEN_URLS
    | PASSKEY_URLS
    | TRAINING_URLS
    | CORRECTION_URLS
    | COMPLAINT_URLS
)


def test_every_url_has_a_row_in_the_matrix():
    assert _named_urls(get_resolver().url_patterns) == ROWS | set(API_URLS)
    assert set(ACCEPTED) == ROWS


def test_every_url_pattern_has_a_name():
    """An unnamed pattern could never get a row above, so it would escape the matrix: refuse it."""
    assert _unnamed_patterns(get_resolver().url_patterns) == []


def test_an_unnamed_url_pattern_is_caught():
    patterns = [URLResolver(r"^team/", [URLPattern(r"^secret/$", lambda request: None)])]
    assert _unnamed_patterns(patterns) == ["^team/^secret/$"]


def _renewed_today() -> dict[str, str]:
    today = timezone.localdate()
    parts = {"day": today.day, "month": today.month, "year": today.year}
    return {f"background_check_{part}": str(value) for part, value in parts.items()}


# Valid form data for every POST, so a refusal is the policy's doing, never a form error.
def _post_data(m: MatrixWorld, url: str, p: Persona) -> dict[str, str]:
    la_org = m.world.south_gp if p.la == "S" else m.world.north_social_care
    data: dict[str, dict[str, str]] = {
        "children:search": {"family_name": "Thornton", "dob_day": "4", "dob_month": "3", "dob_year": "2015"},
        "children:purpose": {"purpose": "providing_service", "detail": ""},
        "children:involvement_new": {
            "role": "Attendance officer",
            "phone": "0113 496 0999",
            "email": "attendance@example.org",
            "start_day": "1",
            "start_month": "2",
            "start_year": "2025",
        },
        "children:involvement_end": {"end_day": "1", "end_month": "3", "end_year": "2025"},
        "children:caf": {"caf_completed": "yes"},
        "children:override": {"reason": "Reported missing overnight", "understood": "on"},
        "lifecycle:archived_record": {"purpose": "subject_access", "detail": ""},
        "lifecycle:archive_find": {"index_number": m.children["north_archived"].index_number},
        "audit:index": {"find": "record", "index_number": m.children["north"].index_number},
        "audit:subject_access": {"identity_checked": "on", "reference": "SAR-2026-0042"},
        "audit:subject_access_pdf": {"identity_checked": "on", "reference": "SAR-2026-0042"},
        "team:suspend": {"reason": "Searches not explained"},
        "team:home_postcode": {"postcode": "ls1 4ab"},
        "administration:account_home_postcode": {"postcode": "ls1 4ab"},
        # today's: later than any persona's check (a renewal), never in the future
        "team:background_check": _renewed_today(),
        "administration:account_background_check": _renewed_today(),
        "team:correct_invitation_address": {"email": "corrected.invitee@example.org"},
        "administration:account_correct_invitation_address": {"email": "corrected.invitee@example.org"},
        "team:invite": {
            "first_name": "Wilhelmina",
            "last_name": "Invitee",
            "email": "wilhelmina@example.org",
            "username": "wilhelmina",
            "organisation": str(la_org.pk),
            "role": Role.PRACTITIONER,
            "background_check_day": "2",
            "background_check_month": "1",
            "background_check_year": CHECKED_YEAR,
            "training_day": "3",
            "training_month": "1",
            "training_year": "2026",
        },
        # the confirmation page's button (without it, closing and resetting ask first)
        "team:close": {"confirmed": "yes"},
        "team:export_new": {
            "lawful_basis": "court_order",
            "reference": "CO-2026-118",
            "index_numbers": "\n".join(
                m.children[key].index_number
                for key in (("south",) if p.la == "S" else ("north", "north_identified"))
            ),
            "details": "name",
        },
        "team:export_decision": {"decision": "approve", "reason": "Court order checked"},
        "team:reset_mfa": {"confirmed": "yes"},
        "administration:organisation_new": {
            "kind": "school",
            "name": "Matrix Test Academy",
            "code": "URN-MATRIX-1",
            "local_authority": str(m.world.north.pk),
            "accredited_day": "1",
            "accredited_month": "9",
            "accredited_year": "2025",
        },
        "administration:organisation_edit": {
            "kind": "gp",
            "name": "North Road Surgery",
            "code": "GP-N",
            "local_authority": str(m.world.north.pk),
            "working_hours_start": "08:00",
            "working_hours_end": "18:30",
        },
        "administration:organisation_close": {"confirmed": "yes"},
        "administration:account_invite": {
            "first_name": "Nell",
            "last_name": "Invitee",
            "email": "nell@example.org",
            "username": "nell",
            "organisation": str(m.world.south.pk),
            "role": Role.LA_TEAM,
            "background_check_day": "2",
            "background_check_month": "1",
            "background_check_year": CHECKED_YEAR,
            "training_day": "3",
            "training_month": "1",
            "training_year": "2026",
        },
        "administration:account_suspend": {"reason": "Left the post"},
        "administration:account_close": {"confirmed": "yes"},
        "accounts:mfa": {"code": "000000"},
        "accounts:reauthenticate": {"password": "not the password", "code": "000000"},
        "accounts:password_change": {
            "current": PASSWORD,
            "password1": "plum orchard lantern 7 quietly",
            "password2": "plum orchard lantern 7 quietly",
        },
        "moves:transfer_new": {
            "to_la": str((m.world.south if p.la == "N" else m.world.north).pk),
            "reason": "The family moved",
        },
        "moves:transfer": {"decision": "accept"},
        "moves:transfer_withdraw": {"reason": "Sent to the wrong local authority", "confirm": "on"},
        "moves:address": {"status": "none"},
        "moves:shielding": {"reason": "Risk assessed by the team", "confirm": "on"},
        "moves:archive_age": {"age": "21", "consent": "on"},
        "moves:new_identity": {
            "category": "adoption",
            "given_names": "Wrenna",
            "family_name": "Pellingham",
            "gender": "female",
            "dob_day": "4",
            "dob_month": "3",
            "dob_year": "2015",
            "line_1": "2 Ferncastle Way",
            "town": "York",
            "postcode": "YO1 7HH",
            "confirm": "on",
        },
        "corrections:propose": {"value": "Thorneton", "reason": "Seen the birth certificate"},
        "corrections:decide": {"decision": "accept"},
        "corrections:complaint_new": {
            "complainant": "parent_carer",
            "about": "use",
            "received_day": "2",
            "received_month": "11",
            "received_year": "2026",
            "summary": "Asks who looked at the record",
        },
        "corrections:complaint": {"status": "received"},
    }
    if url == "corrections:complaint":  # the progress as the page shows it now (a stale page changes nothing)
        complaint = Complaint.objects.get(pk=cast(UUID, _north_complaint_id(m)))
        data[url]["version"] = complaint_version(complaint)
    if url == "corrections:decide":  # an accept carries the value the page shows the record holds now
        data[url] = accept_as_shown(Correction.objects.get(pk=cast(UUID, _north_correction_id(m))))
    return data.get(url, {})


def _problems(
    m: MatrixWorld, answer: Answer, expect: Expect, *, url_args: list, method: str, p: Persona
) -> list[str]:
    """What is wrong with `answer`, as readable lines (empty when it is what the rules say)."""
    got = f"{answer.status} {answer.reason or answer.location}"
    if answer.status != expect.status or (expect.reason and answer.reason != expect.reason):
        return [f"got {got}, expected {expect}"]
    problems = []
    if expect.status == OK and (not expect.shows or expect.shows not in answer.page):
        problems.append(f"the page does not show {expect.shows!r}")
    if expect.status == DENIED:
        if "You cannot do this" not in answer.page or REASON_WORDS[expect.reason or ""] not in answer.page:
            problems.append("refusal page does not say why")
        audited = expect.audited or expect.reason
        if p.status == "ok" and [e.get("reason") for e in answer.denied_events] != [audited]:
            problems.append(f"AccessDenied events {answer.denied_events}, expected one with {audited}")
    elif expect.audited is not None:
        if [e.get("reason") for e in answer.denied_events] != [expect.audited]:
            problems.append(f"AccessDenied events {answer.denied_events}, expected one with {expect.audited}")
    elif answer.denied_events:
        problems.append(f"not refused, yet AccessDenied events were written: {answer.denied_events}")
    fresh = expect.to in _ALWAYS_FRESH or (expect.to in _FRESH_ID and not url_args)
    if fresh:  # a new id each time: the page it leads to is what counts
        if resolve(answer.location.split("?")[0]).view_name != expect.to:
            problems.append(f"redirected to {answer.location}, expected a {expect.to} page")
    elif expect.to == "lifecycle:archived_record":  # the archive finder: the archived child it found
        target = reverse(expect.to, args=[m.children["north_archived"].pk])
        if answer.location != target:
            problems.append(f"redirected to {answer.location}, expected {target}")
    elif expect.to == "audit:child_access" and not url_args:  # the reports menu's look-up: North's child
        target = reverse(expect.to, args=[m.children["north"].pk])
        if answer.location != target:
            problems.append(f"redirected to {answer.location}, expected {target}")
    elif expect.to is not None:
        target = reverse(expect.to, args=url_args[:1]) if expect.to not in _NO_ARGS else reverse(expect.to)
        if answer.location != target:
            problems.append(f"redirected to {answer.location}, expected {target}")
    if method == "POST" and expect.changes and not answer.changed:
        problems.append("an allowed POST with a valid form changed nothing (is the test data still valid?)")
    if answer.changed and not (method == "GET" and expect.status == OK) and not expect.changes:
        problems.append(f"it changed {answer.changed}, which it should not have")
    return problems


# Pages a request leads to under a new id (a new search, a new organisation): when the request itself
# named no object, the page it leads to is what counts; with an object, it must be that object's page.
_FRESH_ID = {"children:search_results", "administration:organisation", "team:export"}
# Pages of an object created by a request about another one (a transfer request made from a child's page).
_ALWAYS_FRESH = {"moves:transfer", "corrections:complaint"}
_NO_ARGS = {
    "children:search",
    "audit:index",
    "accounts:passkeys",
    "accounts:password_change",
    "accounts:mfa",
    "team:users",
    "oversight:alerts",
    "training:course",
    "training:assessment",
    "administration:accounts",
    "moves:transfers",
    "corrections:mine",
    "corrections:queue",
}


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{who}: {line}" for who, lines in problems.items() for line in lines)


def _hold_purpose(m: MatrixWorld, name: str, scenario: str):
    def plant() -> None:
        session = m.client(name).session
        purpose_grant_store(session, child=m.children[scenario], purpose="providing_service", detail="")
        session.save()

    return plant


@pytest.mark.parametrize(
    ("url_name", "method"), [(u, meth) for u in sorted(CHILD_URLS) for meth in sorted(ACCEPTED[u])]
)
def test_child_pages_answer_each_persona_in_each_scenario_as_the_rules_say(matrix, url_name, method):
    problems: dict[str, list[str]] = {}
    for p in PERSONAS:
        for scenario in CHILD_SCENARIOS:
            child = matrix.children[scenario]
            args = [child.pk] + (
                [matrix.involvements[scenario].pk] if url_name == "children:involvement_end" else []
            )
            args += [CORRECTED_FIELD] if url_name == "corrections:propose" else []
            data = _post_data(matrix, url_name, p)
            if url_name == "children:lead_professional":
                data = {"involvement": str(matrix.involvements[scenario].pk)}
            if url_name == "moves:shielding":  # the change the page offers for this record
                data = {**data, "change": "lift" if child.shielded else "apply"}
            for purpose_held in (False, True) if url_name in PURPOSE_FIRST else (False,):
                before = _hold_purpose(matrix, p.name, scenario) if purpose_held else None
                answer = attempt(
                    matrix.client(p.name), method, reverse(url_name, args=args), data, before=before
                )
                expect = expected_child(url_name, method, p, scenario, purpose_held)
                found = _problems(matrix, answer, expect, url_args=args, method=method, p=p)
                if url_name == "children:purpose" and method == "POST" and not purpose_held:
                    granted = str(child.pk) in answer.purposes
                    if granted != (expect.status == REDIRECT and expect.to != "training:course"):
                        found.append(f"purpose grant held afterwards: {granted}")
                if found:
                    problems[f"{p.name} / {scenario} / purpose held: {purpose_held}"] = found
    assert not problems, _report(problems)


REINSTATE_URLS = {"team:reinstate", "administration:account_reinstate"}


SUSPENDED_AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _suspended_to_reinstate(
    m: MatrixWorld, url: str, p: Persona, subject: str
) -> tuple[Callable[[], None] | None, dict[str, str]]:
    """A reinstatement lifts the suspension its page showed: the subject is suspended first, inside the
    attempt's savepoint (undone with it), and the form carries which suspension. One's own account is
    never suspended here: that would end the asking session, and the policy refuses it anyway."""
    if url not in REINSTATE_URLS or subject == p.name:
        return None, {}
    user = m.users[subject]

    def suspend() -> None:
        User.objects.filter(pk=user.pk).update(suspended_at=SUSPENDED_AT)

    return suspend, {"suspension": suspension_version(User(suspended_at=SUSPENDED_AT))}


RESEND_URLS = {
    "team:resend_invitation",
    "administration:account_resend_invitation",
    "team:correct_invitation_address",
    "administration:account_correct_invitation_address",
}


def _invited_to_resend(m: MatrixWorld, url: str, p: Persona, subject: str) -> Callable[[], None] | None:
    """A new invitation link is sent only to an account still waiting for its invitation: the subject is
    given one first, unaccepted and never set up, inside the attempt's savepoint (undone with it). Never
    one's own: the policy refuses that anyway."""
    if url not in RESEND_URLS or subject == p.name:
        return None
    user = m.users[subject]

    def invite() -> None:
        # Never set up, as an invitee is (an account set up before waits only on a reset's link, whose
        # address is never corrected: `accounts.services.account_set_up_before`).
        User.objects.filter(pk=user.pk).update(agreement_signed_on=None, last_login=None)
        Invitation.objects.create(
            user=user,
            token_hash=f"matrix-{user.pk}",
            created_by=m.users["lena"],
            expires_at=timezone.now() + timedelta(hours=24),
        )

    return invite


@pytest.mark.parametrize(
    ("url_name", "method"), [(u, meth) for u in sorted(SUBJECT_URLS) for meth in sorted(ACCEPTED[u])]
)
def test_account_pages_answer_each_persona_about_each_subject_as_the_rules_say(matrix, url_name, method):
    problems: dict[str, list[str]] = {}
    for p in PERSONAS:
        for subject in ("alice", "bob", p.name):
            args = [matrix.users[subject].pk]
            suspend, extra = _suspended_to_reinstate(matrix, url_name, p, subject)
            answer = attempt(
                matrix.client(p.name),
                method,
                reverse(url_name, args=args),
                {**_post_data(matrix, url_name, p), **extra},
                before=suspend or _invited_to_resend(matrix, url_name, p, subject),
            )
            expect = expected_subject(url_name, method, p, subject)
            if found := _problems(matrix, answer, expect, url_args=args, method=method, p=p):
                problems[f"{p.name} about {subject}"] = found
    assert not problems, _report(problems)


@pytest.mark.parametrize(
    ("url_name", "method"),
    [(u, meth) for u in sorted(NATIONAL_SUBJECT_URLS) for meth in sorted(ACCEPTED[u])],
)
def test_national_account_pages_answer_each_persona_about_each_subject_as_the_rules_say(
    matrix, url_name, method
):
    problems: dict[str, list[str]] = {}
    for p in PERSONAS:
        for subject in (*NATIONAL_SUBJECTS, p.name):
            args = [matrix.users[subject].pk]
            suspend, extra = _suspended_to_reinstate(matrix, url_name, p, subject)
            answer = attempt(
                matrix.client(p.name),
                method,
                reverse(url_name, args=args),
                {**_post_data(matrix, url_name, p), **extra},
                before=suspend or _invited_to_resend(matrix, url_name, p, subject),
            )
            expect = expected_national_subject(url_name, method, p, subject)
            if found := _problems(matrix, answer, expect, url_args=args, method=method, p=p):
                problems[f"{p.name} about {subject}"] = found
    assert not problems, _report(problems)


@pytest.mark.parametrize(
    ("url_name", "method"), [(u, meth) for u in sorted(ORGANISATION_URLS) for meth in sorted(ACCEPTED[u])]
)
def test_organisation_pages_answer_each_persona_as_the_rules_say(matrix, url_name, method):
    problems: dict[str, list[str]] = {}
    args = [matrix.world.north_gp.pk]
    for p in PERSONAS:
        answer = attempt(
            matrix.client(p.name), method, reverse(url_name, args=args), _post_data(matrix, url_name, p)
        )
        expect = expected_organisation(url_name, method, p)
        if found := _problems(matrix, answer, expect, url_args=args, method=method, p=p):
            problems[p.name] = found
    assert not problems, _report(problems)


def test_alert_acknowledgement_answers_each_persona_for_each_local_authority_as_the_rules_say(matrix):
    problems: dict[str, list[str]] = {}
    for p in PERSONAS:
        for key, alert in matrix.alerts.items():
            path = reverse("oversight:alert_acknowledge", args=[alert.pk])
            answer = attempt(matrix.client(p.name), "POST", path)
            expect = expected_alert("oversight:alert_acknowledge", "POST", p, key)
            if found := _problems(matrix, answer, expect, url_args=[], method="POST", p=p):
                problems[f"{p.name} on alert {key} (about {ALERT_RAISERS[key]})"] = found
    assert not problems, _report(problems)


@pytest.mark.parametrize(
    ("url_name", "method"), [(u, meth) for u in sorted(PLAIN_URLS) for meth in sorted(ACCEPTED[u])]
)
def test_other_pages_answer_each_persona_as_the_rules_say(matrix, url_name, method):
    problems: dict[str, list[str]] = {}
    for p in PERSONAS:
        answer = attempt(matrix.client(p.name), method, reverse(url_name), _post_data(matrix, url_name, p))
        expect = expected_plain(url_name, method, p)
        if found := _problems(matrix, answer, expect, url_args=[], method=method, p=p):
            problems[p.name] = found
    assert not problems, _report(problems)


@pytest.mark.parametrize("url_name", sorted(SEARCH_RESULT_URLS))
def test_search_results_pages_answer_each_persona_as_the_rules_say(matrix, url_name):
    path = reverse(url_name, args=_sample_args(matrix, url_name))
    problems: dict[str, list[str]] = {}
    for p in PERSONAS:
        answer = attempt(matrix.client(p.name), "GET", path)
        expect = expected_search_results(url_name, "GET", p)
        if found := _problems(matrix, answer, expect, url_args=[], method="GET", p=p):
            problems[p.name] = found
    assert not problems, _report(problems)


@pytest.mark.parametrize(
    ("url_name", "method"), [(u, meth) for u in sorted(TRAINING_URLS) for meth in sorted(ACCEPTED[u])]
)
def test_training_pages_answer_each_persona_as_the_rules_say(matrix, url_name, method):
    problems: dict[str, list[str]] = {}
    path = reverse(url_name, args=_sample_args(matrix, url_name))
    for p in PERSONAS:
        answer = attempt(matrix.client(p.name), method, path, {"purpose": "0"})
        expect = expected_training(url_name, method, p)
        if found := _problems(matrix, answer, expect, url_args=[], method=method, p=p):
            problems[p.name] = found
    assert not problems, _report(problems)


def _match_args(m: MatrixWorld, url_name: str) -> list:
    """A client match between alice (North child) and carol, a teacher; carol has offered to lead."""
    from coordination.models import LeadProposal, Match
    from coordination.services import lead_propose
    from coordination.tests.support import record, school_teacher

    if "coordination:propose_lead" not in m.match_args:
        alices = m.involvements["north"]
        carol = school_teacher(m.world)
        carols = record(alices.child, carol)
        match = Match.objects.get(first__in=[alices, carols], second__in=[alices, carols])
        lead_propose(match=match, involvement=carols, by=carol)
        m.match_args.update(
            {
                "coordination:propose_lead": [match.pk],
                "coordination:accept_lead": [LeadProposal.objects.get(match=match).pk],
                "coordination:confirm_involvement": [alices.pk],
            }
        )
    return m.match_args[url_name]


def _exports(m: MatrixWorld) -> dict[str, DisclosureExport]:
    """North's disclosure exports (EXPORTS), made once per world; leo is lena's LA team colleague."""
    from disclosure.services import export_decide, export_request
    from tests.personas import make_user

    if "exports" not in m.match_args:
        leo = make_user("leo", m.world.north, Role.LA_TEAM)
        asker = {"lena": m.users["lena"], "leo": leo}
        made: dict[str, DisclosureExport] = {}
        for key, name in EXPORTS.items():
            made[key] = export_request(
                by=asker[name],
                local_authority=m.world.north,
                lawful_basis="court_order",
                reference="CO-2026-118",
                children=[m.children["north"], m.children["north_shielded"]],
                fields=["name", "address"],
            )
        export_decide(export=made["lena_approved"], by=leo, approve=True, reason="Court order checked")
        m.match_args["exports"] = [made]
    return cast(dict[str, DisclosureExport], m.match_args["exports"][0])


def _export_data(m: MatrixWorld, url_name: str, key: str) -> dict[str, str]:
    from team.disclosure_file import passphrase_new, passphrase_token

    if url_name == "team:export_download":
        export = _exports(m)[key]
        return {"token": passphrase_token(passphrase=passphrase_new(), export=export)}
    return _post_data(m, url_name, PERSONA["lena"])


@pytest.mark.parametrize(
    ("url_name", "method"), [(u, meth) for u in sorted(EXPORT_URLS) for meth in sorted(ACCEPTED[u])]
)
def test_disclosure_export_pages_answer_each_persona_for_each_export_as_the_rules_say(
    matrix, url_name, method
):
    problems: dict[str, list[str]] = {}
    for key in EXPORTS:
        export = _exports(matrix)[key]
        args = [export.pk]
        for p in PERSONAS:
            data = _export_data(matrix, url_name, key)
            answer = attempt(matrix.client(p.name), method, reverse(url_name, args=args), data)
            expect = expected_export(url_name, method, p, key)
            if found := _problems(matrix, answer, expect, url_args=args, method=method, p=p):
                problems[f"{p.name} on {key}"] = found
    assert not problems, _report(problems)


def test_an_unknown_export_id_tells_a_role_without_access_nothing(matrix):
    """Refused before the lookup, so a 404 never says "no such export" to someone who may not look."""
    unknown = "00000000-0000-4000-8000-000000000000"
    problems: dict[str, list[str]] = {}
    for url_name in sorted(EXPORT_URLS):
        (method,) = ACCEPTED[url_name]
        for p in PERSONAS:
            answer = attempt(matrix.client(p.name), method, reverse(url_name, args=[unknown]))
            expect = guard_expect(url_name, p) or (
                Expect(NOT_FOUND) if p.role == Role.LA_TEAM else refused("role_not_permitted")
            )
            if answer.status != expect.status or answer.reason != expect.reason:
                problems[f"{url_name} {p.name}"] = [f"got {answer.status}, expected {expect}"]
    assert not problems, _report(problems)


def _north_review_id(m: MatrixWorld) -> object:
    """An open clerical review for North (a possible match from a feed), made once per world."""
    from linkage.linking import LinkDecision, Outcome
    from linkage.models import ReviewReason
    from linkage.services import review_open

    if "review" not in m.match_args:
        decision = LinkDecision(
            Outcome.REVIEW, reason=ReviewReason.POSSIBLE_MATCH, review_la_id=m.world.north.pk
        )
        review = review_open(decision=decision, incoming={"record": {}}, submitted_by=m.users["fiona"])
        m.match_args["review"] = [review.pk]
    return m.match_args["review"][0]


def _north_transfer_id(m: MatrixWorld) -> object:
    """A waiting transfer of the North child to South, raised by lena, made once per world."""
    from lifecycle.moves import transfer_request

    if "transfer" not in m.match_args:
        transfer = transfer_request(
            child=m.children["north"], to_la=m.world.south, by=m.users["lena"], reason="The family moved"
        )
        m.match_args["transfer"] = [transfer.pk]
    return m.match_args["transfer"][0]


@pytest.mark.parametrize("url_name", sorted(TRANSFER_URLS))
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_transfer_answers_each_persona_as_the_rules_say(matrix, url_name, method):
    path = reverse(url_name, args=[_north_transfer_id(matrix)])
    problems: dict[str, list[str]] = {}
    for p in PERSONAS:
        answer = attempt(matrix.client(p.name), method, path, _post_data(matrix, url_name, p))
        expect = expected_transfer(url_name, method, p)
        if found := _problems(matrix, answer, expect, url_args=[], method=method, p=p):
            problems[p.name] = found
    assert not problems, _report(problems)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_clerical_review_answers_each_persona_as_the_rules_say(matrix, method):
    path = reverse("linkage:review", args=[_north_review_id(matrix)])
    problems: dict[str, list[str]] = {}
    for p in PERSONAS:
        answer = attempt(matrix.client(p.name), method, path, {})
        expect = expected_review("linkage:review", method, p)
        if found := _problems(matrix, answer, expect, url_args=[], method=method, p=p):
            problems[p.name] = found
    assert not problems, _report(problems)


def _north_correction_id(m: MatrixWorld) -> object:
    """alice's pending correction to the North child's family name, made once per world."""
    from corrections.fields import field_for
    from corrections.services import correction_raise

    if "correction" not in m.match_args:
        correction = correction_raise(
            child=m.children["north"],
            field=field_for(CORRECTED_FIELD),  # type: ignore[arg-type]
            value="Thorneton",
            reason="Seen the birth certificate",
            by=m.users["alice"],
        )
        m.match_args["correction"] = [correction.pk]
    return m.match_args["correction"][0]


def _north_complaint_id(m: MatrixWorld) -> object:
    """A complaint about the North child from a parent, recorded by North's LA team once per world."""
    from datetime import date

    from corrections.services import complaint_record

    if "complaint" not in m.match_args:
        complaint = complaint_record(
            child=m.children["north"],
            by=m.users["lena"],
            complainant="parent_carer",
            about="use",
            received_on=date(2026, 11, 2),
            summary="Asks who looked at the record",
        )
        m.match_args["complaint"] = [complaint.pk]
    return m.match_args["complaint"][0]


@pytest.mark.parametrize(
    ("url_name", "method"),
    [(u, meth) for u in sorted(CORRECTION_URLS | COMPLAINT_URLS) for meth in sorted(ACCEPTED[u])],
)
def test_corrections_and_complaints_answer_each_persona_as_the_rules_say(matrix, url_name, method):
    args = _sample_args(matrix, url_name)
    path = reverse(url_name, args=args)
    expected = expected_correction if url_name in CORRECTION_URLS else expected_complaint
    problems: dict[str, list[str]] = {}
    for p in PERSONAS:
        answer = attempt(matrix.client(p.name), method, path, _post_data(matrix, url_name, p))
        expect = expected(url_name, method, p)
        if found := _problems(matrix, answer, expect, url_args=args, method=method, p=p):
            problems[p.name] = found
    assert not problems, _report(problems)


def _merge_args(m: MatrixWorld, url_name: str) -> list:
    """Two spare North records to compare, and a merge of two more (made once per world)."""
    from linkage.merging import child_merge
    from tests.personas import make_child

    if url_name not in m.match_args:
        first, second = (make_child(m.world, family_name=f"Merrow{i}") for i in range(2))
        if url_name == "linkage:merge_compare":
            m.match_args[url_name] = [first.pk, second.pk]
        else:
            m.match_args[url_name] = [child_merge(survivor=first, duplicate=second, by=m.users["lena"]).pk]
    return m.match_args[url_name]


@pytest.mark.parametrize(
    ("url_name", "method"), [(u, meth) for u in sorted(MERGE_URLS) for meth in sorted(ACCEPTED[u])]
)
def test_merge_pages_answer_each_persona_as_the_rules_say(matrix, url_name, method):
    path = reverse(url_name, args=_merge_args(matrix, url_name))
    problems: dict[str, list[str]] = {}
    for p in PERSONAS:
        answer = attempt(matrix.client(p.name), method, path, {})
        expect = expected_merge(url_name, method, p)
        if found := _problems(matrix, answer, expect, url_args=[], method=method, p=p):
            problems[p.name] = found
    assert not problems, _report(problems)


def _api_request(client, url_name: str):
    args = ["b-1"] if url_name in ("feeds_api:batch_submit", "feeds_api:batch_status") else []
    path = reverse(url_name, args=args)
    if url_name == "feeds_api:batch_submit":
        return client.post(path, data='{"rows": []}', content_type="application/json")
    return client.get(path)


@pytest.mark.parametrize("url_name", sorted(API_URLS))
def test_the_feeds_api_answers_a_browser_session_as_no_token_at_all(matrix, client, url_name):
    """Whoever is signed in, a session is not a feed token; the schema alone is public."""
    signed_in_answer, anonymous_answer = API_URLS[url_name]
    problems = {}
    for p in PERSONAS:
        status = _api_request(matrix.client(p.name), url_name).status_code
        # the account guard answers first: suspended refused, lapsed training sent to the course
        expected = {"suspended": 403, "lapsed": REDIRECT}.get(p.status, signed_in_answer)
        if status != expected:
            problems[p.name] = status
    assert not problems, problems
    assert _api_request(client, url_name).status_code == anonymous_answer


@pytest.mark.parametrize("url_name", sorted(MATCH_URLS))
def test_match_actions_answer_each_persona_as_the_rules_say(matrix, url_name):
    path = reverse(url_name, args=_match_args(matrix, url_name))
    problems: dict[str, list[str]] = {}
    for p in PERSONAS:
        answer = attempt(matrix.client(p.name), "POST", path, {})
        expect = expected_match(url_name, "POST", p)
        if found := _problems(matrix, answer, expect, url_args=[], method="POST", p=p):
            problems[p.name] = found
    assert not problems, _report(problems)


def _sample_args(m: MatrixWorld, url_name: str) -> list:
    """Arguments for any URL: the North child (and alice's involvement), alice as subject, North's alert."""
    if url_name == "children:involvement_end":
        return [m.children["north"].pk, m.involvements["north"].pk]
    if url_name == "corrections:propose":
        return [m.children["north"].pk, CORRECTED_FIELD]
    if url_name in CORRECTION_URLS:
        return [_north_correction_id(m)]
    if url_name in COMPLAINT_URLS:
        return [_north_complaint_id(m)]
    if url_name in CHILD_URLS:
        return [m.children["north"].pk]
    if url_name in SUBJECT_URLS:
        return [m.users["alice"].pk]
    if url_name in NATIONAL_SUBJECT_URLS:
        return [m.users["nadia"].pk]
    if url_name in ORGANISATION_URLS:
        return [m.world.north_gp.pk]
    if url_name in ALERT_URLS:
        return [m.alerts["N"].pk]
    if url_name in EXPORT_URLS:
        return [_exports(m)["lena_pending"].pk]
    if url_name in MATCH_URLS:
        return _match_args(m, url_name)
    if url_name in REVIEW_URLS:
        return [_north_review_id(m)]
    if url_name in TRANSFER_URLS:
        return [_north_transfer_id(m)]
    if url_name in MERGE_URLS:
        return _merge_args(m, url_name)
    if url_name == "accounts:invitation":
        return ["not-a-real-token"]
    if url_name in SEARCH_RESULT_URLS:
        return ["not-a-kept-search-id"]
    if url_name == "training:page":
        return ["purpose"]
    return []


GUARDLESS = {"accounts:login", "accounts:logout", "accounts:invitation"}  # no account guard on these paths


@pytest.mark.ci_first_core  # two minutes on PostgreSQL: run beside the browser journeys (.ci/run)
def test_methods_a_view_does_not_accept_are_refused_for_every_persona_and_change_nothing(matrix):
    problems: dict[str, list[str]] = {}
    for url_name in sorted(ROWS):
        path = reverse(url_name, args=_sample_args(matrix, url_name))
        for p in PERSONAS:
            for method in sorted(ANY_METHOD - ACCEPTED[url_name]):
                answer = attempt(matrix.client(p.name), method, path, rows=False)
                if url_name == "accounts:login":  # a signed-in person is sent on, whatever the method
                    expect = Expect(REDIRECT)
                elif guarded := guard_expect(url_name, p):
                    expect = guarded
                else:
                    expect = Expect(NOT_ALLOWED)
                found = _problems(matrix, answer, expect, url_args=[], method=method, p=p)
                if answer.changed:
                    found.append(f"it changed {answer.changed}")
                if found:
                    problems[f"{url_name} {p.name} {method}"] = found
    assert not problems, _report(problems)


# Signed-in personas on the pages that need no role. Passkey JSON endpoints answer in JSON, never
# redirect: begin returns options; complete without a begun ceremony is refused as invalid state (400).
SIGNED_IN_ANSWERS = {
    ("accounts:login", "GET"): REDIRECT,  # already signed in: sent on
    ("accounts:login", "POST"): REDIRECT,
    ("accounts:login", "PUT"): REDIRECT,
    ("accounts:logout", "POST"): REDIRECT,
    ("accounts:invitation", "GET"): NOT_FOUND,
    ("accounts:invitation", "POST"): NOT_FOUND,
    ("accounts:passkey_registration_begin", "POST"): OK,
    ("accounts:passkey_registration_complete", "POST"): 400,
    ("accounts:passkey_authentication_begin", "POST"): OK,
    ("accounts:passkey_authentication_complete", "POST"): 400,
    ("accounts:passkey_js_catalog", "GET"): OK,
}


def test_account_endpoints_answer_every_signed_in_persona(matrix):
    problems: dict[str, list[str]] = {}
    for (url_name, method), status in sorted(SIGNED_IN_ANSWERS.items()):
        path = reverse(url_name, args=_sample_args(matrix, url_name))
        for p in PERSONAS:
            answer = attempt(matrix.client(p.name), method, path)
            expect = guard_expect(url_name, p) or Expect(status)
            if answer.status != expect.status or answer.reason != expect.reason:
                problems[f"{url_name} {method} {p.name}"] = [
                    f"got {answer.status} {answer.reason or ''}, expected {expect}"
                ]
    assert not problems, _report(problems)


ANONYMOUS_PASSKEY_ANSWERS = {  # 403 `not_authenticated`: no passwordless sign-in; the script catalog is public
    "accounts:passkey_registration_begin": DENIED,
    "accounts:passkey_registration_complete": DENIED,
    "accounts:passkey_authentication_begin": DENIED,
    "accounts:passkey_authentication_complete": DENIED,
    "accounts:passkey_js_catalog": OK,
}


def test_anonymous_visitors_cannot_use_passkey_endpoints(matrix, client):
    answers = {}
    for url_name in sorted(PASSKEY_URLS):
        (method,) = ACCEPTED[url_name]
        answer = attempt(client, method, reverse(url_name))
        answers[url_name] = answer.status if not answer.changed else f"changed {answer.changed}"
    assert answers == ANONYMOUS_PASSKEY_ANSWERS


def test_anonymous_visitors_are_sent_to_sign_in_by_every_method_and_change_nothing(matrix, client):
    problems: dict[str, list[str]] = {}
    for url_name in sorted(
        CHILD_URLS
        | TRANSFER_URLS
        | SUBJECT_URLS
        | NATIONAL_SUBJECT_URLS
        | ORGANISATION_URLS
        | ALERT_URLS
        | EXPORT_URLS
        | MATCH_URLS
        | REVIEW_URLS
        | MERGE_URLS
        | PLAIN_URLS
        | SEARCH_RESULT_URLS
        | TRAINING_URLS
        | CORRECTION_URLS
        | COMPLAINT_URLS
    ):
        path = reverse(url_name, args=_sample_args(matrix, url_name))
        for method in METHODS:
            answer = attempt(client, method, path, _post_data(matrix, url_name, PERSONA["lena"]))
            # `home` first sends an anonymous visitor to the passkeys page, which asks them to sign in
            sign_in = reverse("accounts:login") if url_name != "home" else reverse("accounts:passkeys")
            if answer.status != REDIRECT or not answer.location.startswith(sign_in):
                problems[f"{url_name} {method}"] = [f"got {answer.status} {answer.location}"]
            elif answer.changed or answer.denied_events:
                problems[f"{url_name} {method}"] = [
                    f"changed {answer.changed}, refusals {answer.denied_events}"
                ]
    assert not problems, _report(problems)


def test_a_refusal_by_the_account_guard_is_audited_like_any_other(matrix):
    answer = attempt(
        matrix.client("sam"),
        "POST",
        reverse("children:search"),
        _post_data(matrix, "children:search", PERSONA["sam"]),
    )
    assert answer.status == DENIED and answer.reason == GUARD_REASON[PERSONA["sam"].status]
    assert [e.get("reason") for e in answer.denied_events] == [GUARD_REASON[PERSONA["sam"].status]]


def test_lapsed_training_is_sent_to_the_course_without_searching(matrix):
    answer = attempt(
        matrix.client("tom"),
        "POST",
        reverse("children:search"),
        _post_data(matrix, "children:search", PERSONA["tom"]),
    )
    assert (answer.status, answer.location) == (REDIRECT, reverse(GUARD_REDIRECT[PERSONA["tom"].status]))
    assert not answer.changed and not answer.denied_events


def test_an_unknown_account_id_tells_a_role_without_access_nothing(matrix):
    """Account ids are sequential: a refusal must come before the lookup, or a 404 says "no such id"."""
    unknown = max(u.pk for u in matrix.users.values()) + 1000
    problems: dict[str, list[str]] = {}
    for url_name in sorted(SUBJECT_URLS | NATIONAL_SUBJECT_URLS | ORGANISATION_URLS):
        may_use = (
            AUDITORS
            if url_name == "audit:user_activity"
            else {Role.SYSTEM_ADMIN}
            if url_name.startswith("administration:")
            else {Role.LA_TEAM}
        )
        for method in sorted(ACCEPTED[url_name]):
            for p in PERSONAS:
                answer = attempt(matrix.client(p.name), method, reverse(url_name, args=[unknown]))
                if guarded := guard_expect(url_name, p):
                    expect = guarded
                elif p.role not in may_use:
                    expect = refused("role_not_permitted")
                else:
                    expect = Expect(NOT_FOUND)
                if answer.status != expect.status or answer.reason != expect.reason:
                    problems[f"{url_name} {method} {p.name}"] = [f"got {answer.status}, expected {expect}"]
    assert not problems, _report(problems)


# Roles that may use each page taking a child id (ROLES_BY_PERMISSION of the page's action).
CHILD_URL_ROLES = {
    "children:purpose": VIEWERS,
    "children:record": VIEWERS,
    "children:involvement_new": PRACTITIONERS,
    "children:involvement_end": VIEWERS,
    "children:lead_professional": VIEWERS,
    "children:caf": VIEWERS,
    "children:override": {Role.OVERRIDE_HOLDER},
    "lifecycle:archived_record": {Role.DATA_MANAGER},
    "coordination:inform_family": PRACTITIONERS,
    "audit:child_access": AUDITORS,
    "audit:subject_access": {Role.LA_TEAM},
    "audit:subject_access_pdf": {Role.LA_TEAM},
    **{url: {Role.LA_TEAM} for url in MOVE_URLS},
    "corrections:choose": VIEWERS,
    "corrections:propose": VIEWERS,
    "corrections:complaint_new": {Role.LA_TEAM},
}
CHILD_URL_EXTRA_ARGS: dict[str, list[object]] = {
    "children:involvement_end": [uuid4()],
    "corrections:propose": ["address"],
}


def test_an_unknown_child_id_tells_a_role_without_access_nothing(matrix):
    """A role refused a page is refused before the child is looked up: the same 403 for an unknown id as
    for a real one, never a 404 that says "no such child" (nor the LA holding a real one)."""
    assert set(CHILD_URL_ROLES) == CHILD_URLS
    problems: dict[str, list[str]] = {}
    for url_name in sorted(CHILD_URLS):
        extra = CHILD_URL_EXTRA_ARGS.get(url_name, [])
        for method in sorted(ACCEPTED[url_name]):
            for p in PERSONAS:
                if p.status != "ok" or p.role in CHILD_URL_ROLES[url_name]:
                    continue
                answer = attempt(matrix.client(p.name), method, reverse(url_name, args=[uuid4(), *extra]))
                if (answer.status, answer.reason) != (403, "role_not_permitted"):
                    problems[f"{url_name} {method} {p.name}"] = [f"got {answer.status} {answer.reason}"]
    assert not problems, _report(problems)


# Pages taking the id of something other than a child, an account, an organisation or an export, with the
# roles that may use them: an unknown id is refused to every other role before any lookup, as a real one.
OTHER_ID_URLS: dict[str, tuple[set[Role], Callable[[], list[object]]]] = {
    "moves:transfer": ({Role.LA_TEAM}, lambda: [uuid4()]),
    "moves:transfer_withdraw": ({Role.LA_TEAM}, lambda: [uuid4()]),
    "oversight:alert_acknowledge": ({Role.LA_TEAM, Role.SYSTEM_ADMIN}, lambda: [987654]),
    "coordination:propose_lead": (PRACTITIONERS, lambda: [987654]),
    "coordination:accept_lead": (PRACTITIONERS, lambda: [987654]),
    "coordination:confirm_involvement": (PRACTITIONERS, lambda: [uuid4()]),
    "linkage:review": ({Role.LA_TEAM, Role.DATA_MANAGER}, lambda: [uuid4()]),
    "linkage:merge_compare": ({Role.LA_TEAM}, lambda: [uuid4(), uuid4()]),
    "linkage:merge_detail": ({Role.LA_TEAM}, lambda: [uuid4()]),
    "corrections:decide": ({Role.LA_TEAM, Role.DATA_MANAGER}, lambda: [uuid4()]),
    "corrections:complaint": ({Role.LA_TEAM}, lambda: [uuid4()]),
}


def test_an_unknown_id_of_any_other_kind_tells_a_role_without_access_nothing(matrix):
    """Transfers, alerts, matches, reviews, merges, corrections and complaints: the same 403 for an
    unknown id as for a real one, never a 404 saying there is no such thing."""
    problems: dict[str, list[str]] = {}
    for url_name, (may_use, args) in sorted(OTHER_ID_URLS.items()):
        for method in sorted(ACCEPTED[url_name]):
            for p in PERSONAS:
                if p.status != "ok" or p.role in may_use:
                    continue
                answer = attempt(matrix.client(p.name), method, reverse(url_name, args=args()))
                if (answer.status, answer.reason) != (403, "role_not_permitted"):
                    problems[f"{url_name} {method} {p.name}"] = [f"got {answer.status} {answer.reason}"]
    assert not problems, _report(problems)


def test_head_and_options_on_every_page_change_nothing_and_never_fail(matrix):
    """Methods the matrix's rows never send: no page answers them with a server error or a change, and a
    refusal is the only thing they may audit."""
    problems: dict[str, list[str]] = {}
    for url_name in sorted(ROWS):
        path = reverse(url_name, args=_sample_args(matrix, url_name))
        for p in PERSONAS:
            if p.status != "ok":
                continue
            for method in ("HEAD", "OPTIONS"):
                answer = attempt(matrix.client(p.name), method, path, rows=True)
                if answer.status >= 500 or answer.changed or (answer.denied_events and answer.status != 403):
                    problems[f"{url_name} {method} {p.name}"] = [
                        f"got {answer.status}, changed {answer.changed}"
                    ]
    assert not problems, _report(problems)
