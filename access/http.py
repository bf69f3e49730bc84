"""How a refusal reaches a person: a 403 page that says why, and an audit event, written in one place.

Views call `require(...)`, which raises `Refused` when the policy says no; `RefusalMiddleware` turns it
into the audited page. (`refusal(...)` is the same decision for views that prefer an early return.)

Every page taking a child's id reads the child through `child_by_id` and judges it with `refused_unless`
(`permitted_child` does both): an id that never existed, and an archived or closed record's id to someone
who may not identify the child, answer alike with the same work (`no_such_record`), and every such look-up
and every refusal of someone who may not identify the child counts against the search limit
(`LookupsLimited`, answered 429 in words by `RefusalMiddleware`). Every refusal and every no-such-record
answer of a page is audited by `_refusal_audited` (`AccessDenied`), here alone.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, NoReturn, cast
from uuid import UUID

from django.contrib.auth import logout
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_resolver

from access.permissions import Permission
from access.policy import (
    ChildRefusal,
    Decision,
    answered_as_never_existed,
    child_known,
    child_refusal_told,
    decide,
    prerequisites,
)
from accounts.http import signed_in_user
from accounts.models import Organisation, OrganisationKind, User
from accounts.ratelimit import REFUSAL_AUDIT_SECONDS, SEARCH_USER, OncePerWindow
from accounts.services import ActorCannotAct
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child, Involvement, RecordStatus
from disclosure.models import DisclosureExport
from lifecycle.models import Transfer
from linkage.models import ChildMerge, ClericalReview
from oversight.misuse import refusal_record, refusal_screen
from oversight.models import Alert


class Refused(Exception):
    """The policy said no: carries what the refusal page and its audit event need."""

    def __init__(
        self,
        decision: Decision,
        *,
        action: Permission,
        child_id: UUID | None = None,
        subject_id: int | None = None,
        judged: "JudgedChild | None" = None,
    ) -> None:
        super().__init__(decision.reason)
        self.decision = decision
        self.action = action
        self.child_id = child_id
        self.subject_id = subject_id
        self.judged = judged


@dataclass(frozen=True)
class JudgedChild:
    """The child a page refused as it read it, and whether the person may identify it
    (`access.policy.child_known`), as the page judged: the refusal page says what follows from that
    judgement rather than reading the child and judging it again."""

    child: Child
    known: bool


def denied(
    request: HttpRequest,
    decision: Decision,
    *,
    action: Permission,
    child_id: UUID | None = None,
    actor: User | None = None,
    subject_id: int | None = None,
    judged: JudgedChild | None = None,
) -> HttpResponse:
    """Audit the refusal and render the page that says why.

    `actor` is for callers that sign the person out before answering (suspension): the event still
    names who was refused, while the page is rendered for the signed-out request. A refusal about an
    account (`subject_id`: its activity, its page) names it, as one about a child is filed under the
    child: account ids are numbered in order, and a run of refusals naming nobody hid whom was tried.
    """
    additional: dict[str, object] = {"action": str(action), "reason": decision.reason}
    if subject_id is not None:
        additional["subject_id"] = subject_id
    user = actor or request.user
    refused = _child_refused(user, child_id, judged)
    _refusal_audited(
        user,
        child_id=child_id,
        additional=additional,
        child=refused,
        unknown=judged is not None and not judged.known,
    )
    told = _told(user, action, decision, child_id, judged, refused)
    if told is None:
        return _not_found_page(request)
    own_la = _own_local_authority(request.user)
    child = told.named
    la = child.local_authority if child is not None else own_la
    context = {
        "decision": told.decision,
        "la": la,
        "child": child,
        "other_la": child is not None and own_la is not None and own_la.pk != child.local_authority_id,
    }
    return render(request, "access/denied.html", context, status=403)


def _child_refused(user: object, child_id: UUID | None, judged: JudgedChild | None) -> Child | None:
    """The child a refusal is about, read once for its event and its page: as the refusing page judged it
    (`JudgedChild`), else as stored now (None for a refusal naming no child, or to someone signed out)."""
    if judged is not None:
        return judged.child
    if child_id is None or not isinstance(user, User):
        return None
    return Child.objects.select_related("local_authority").filter(pk=child_id).first()


def _told(
    user: object,
    action: Permission,
    decision: Decision,
    child_id: UUID | None,
    judged: JudgedChild | None,
    refused: Child | None,
) -> ChildRefusal | None:
    """What the refusal page says (`access.policy.child_refusal_told`): the reason shown and the child whose
    LA it names, or None (the page of an id that never existed). A refusal naming no child, or to someone
    signed out, is about the person: it says what it says. `refused`: the child as read (`_child_refused`),
    judged by the refusing page if it says (`JudgedChild`)."""
    if child_id is None or not isinstance(user, User):
        return ChildRefusal(decision)
    known = judged.known if judged is not None else None
    return child_refusal_told(actor=user, action=action, child=refused, refused=decision, known=known)


def _refusal_audited(
    actor: AbstractBaseUser | AnonymousUser,
    *,
    child_id: UUID | None,
    additional: dict[str, object],
    child: Child | None = None,
    unknown: bool = False,
) -> None:
    """The one writer of a page's refusal (`AccessDenied`): the refusal pages (`denied`) and the answers to
    an id that never existed or is answered as one (`no_such_record`) alike, so a rule counting refusals
    reads them all from one kind of event. Written by `oversight.misuse.refusal_record`, which marks a
    look-up as such and screens it in the same transaction (ids probed, a record closed for a new identity
    tried); `child` is the record as read, `unknown` whether the page judged the person may not identify it
    (a refusal of anything about such a child is a look-up, whatever its reason)."""
    refusal_record(
        actor=actor if isinstance(actor, User) else None,
        child_id=child_id,
        additional=additional,
        child=child,
        unknown=unknown,
    )


def _not_found_page(request: HttpRequest) -> HttpResponse:
    """The answer to an id that never existed, as Django gives it (the project's 404 page), word for word."""
    handler = cast(Callable[..., HttpResponse], get_resolver().resolve_error_handler(404))
    return handler(request, Http404())


def _own_local_authority(user: object) -> Organisation | None:
    """The LA whose ContactPoint team looks after this person's account (an LA belongs to itself)."""
    organisation = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    if organisation is None:
        return None
    if organisation.kind == OrganisationKind.LOCAL_AUTHORITY:
        return organisation
    return organisation.local_authority


def require(
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
) -> None:
    """Return if the policy allows the action; otherwise raise `Refused` (rendered by the middleware)."""
    decision = decide(
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
    if not decision:
        raise Refused(
            decision,
            action=action,
            child_id=child.pk if child is not None else None,
            subject_id=subject.pk if subject is not None else None,
        )


def signed_out_refusal(request: HttpRequest, *, actor: User, action: Permission) -> HttpResponse:
    """The answer to someone cut off while their change was on its way (closed or suspended by a
    colleague, their organisation de-accredited or closed, their vetting lapsed: the service found it
    under a row lock, nothing changed): the audited refusal page saying why, as their
    next request would get, and sign-out (their sessions were ended already; this stops the response
    saving the deleted one again)."""
    response = denied(request, prerequisites(User.objects.get(pk=actor.pk)), action=action, actor=actor)
    logout(request)
    return response


def refused_page(request: HttpRequest, refused: Refused) -> HttpResponse:
    """The audited refusal page for a `Refused`, with everything it carries (the child, the account)."""
    return denied(
        request,
        refused.decision,
        action=refused.action,
        child_id=refused.child_id,
        subject_id=refused.subject_id,
        judged=refused.judged,
    )


def still_permitted(
    *, actor: User, action: Permission, involvement: Involvement | None = None
) -> Callable[[Child], None]:
    """`require` for `action` again, on the record as stored when the change is written (a service's
    `recheck`, called under the row lock in the writing transaction): a record shielded, archived or
    closed since the request's own check is refused there, audited, and nothing is written."""

    def recheck(stored: Child) -> None:
        require(actor=actor, action=action, child=stored, involvement=involvement)

    return recheck


def refusal(
    request: HttpRequest,
    *,
    actor: User,
    action: Permission,
    child: Child | None = None,
    involvement: Involvement | None = None,
    subject: User | None = None,
) -> HttpResponse | None:
    """None if the policy allows the action; otherwise the audited refusal page that says why."""
    try:
        require(actor=actor, action=action, child=child, involvement=involvement, subject=subject)
    except Refused as refused:
        return refused_page(request, refused)
    return None


class RefusalMiddleware:
    """Renders every `Refused` raised by a view as the audited refusal page, and every `LookupsLimited` as
    the page saying so (429)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Refused):
            return refused_page(request, exception)
        if isinstance(exception, LookupsLimited):
            return lookups_limited_page(request)
        return None


Page = Callable[..., HttpResponse]


def decider_ended_refused(action: Permission) -> Callable[[Page], Page]:
    """A decision page whose decider was cut off after the policy passed them (closed, suspended, their
    organisation de-accredited or closed, their vetting lapsed): the service found it under the account's
    row lock with their organisation held, in its writing transaction, and wrote nothing
    (`accounts.services.actor_able_locked` raises `ActorCannotAct`). Answered as their next request
    would be: the audited refusal page saying why, and signed out (`access.http.signed_out_refusal`).

    Every decision page whose service calls `actor_able_locked` wears it (lifecycle, linkage, corrections,
    the disclosure download)."""

    def wrap(page: Page) -> Page:
        @wraps(page)
        def refused_if_ended(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return page(request, *args, **kwargs)
            except ActorCannotAct:
                return signed_out_refusal(request, actor=signed_in_user(request), action=action)

        return refused_if_ended

    return wrap


# Searches and look-ups refused by the limit: the first of each minute per person is audited, with the
# count of the minute before. A refusal runs nothing and costs nothing, so one event each would let anyone
# signed in write audit events without end (as `accounts.ratelimit.OncePerWindow` says of every such one).
SEARCH_REFUSED = OncePerWindow("search.refused", REFUSAL_AUDIT_SECONDS)
# What a page that looks children (or people) up says past the limit: the search's own page says it in full.
LOOKUPS_LIMITED = (
    f"You have made too many searches and look-ups in the last minute (up to {SEARCH_USER.limit} a minute "
    "for each person). Wait a minute and try again."
)


def search_over_limit(actor: User, *, page: str | None = None, now: float | None = None) -> bool:
    """Count one search or look-up by `actor` against the search limit (one counter round trip); whether it
    is over it. Refused, the first of each minute is audited (`SEARCH_REFUSED`), naming the `page` when it
    is not the search's own (the merge finder, the archive finder, the reports' look-up and every page
    taking a child's id share the budget: one a person, however children are looked up). `now`: the
    calling page's clock, which files the refusal under its minute (the time now if not given)."""
    if SEARCH_USER.hit(str(actor.pk)) <= SEARCH_USER.limit:
        return False
    due, before = SEARCH_REFUSED.due(str(actor.pk), now=time.time() if now is None else now)
    if due:
        with transaction.atomic():
            event_record(
                tag=AuditTag.SearchThrottled,
                actor=actor,
                additional={**({"page": page} if page else {}), "refused_in_the_minute_before": before},
            )
            refusal_screen(user=actor)  # a minute over it is a refused look-up
    return True


class LookupsLimited(Exception):
    """A person past the search limit asked a page taking a child's id something it answers with nothing
    about the child: answered in words, the same page for every id (`lookups_limited_page`, rendered by
    `RefusalMiddleware`)."""


def lookups_limited_page(request: HttpRequest) -> HttpResponse:
    """The answer to a look-up past the search limit (429): the same words whatever the id."""
    return render(request, "children/lookups_throttled.html", {"said": LOOKUPS_LIMITED}, status=429)


def _page_name(request: HttpRequest) -> str | None:
    match = request.resolver_match
    return match.view_name if match else None


def probe_counted(request: HttpRequest, actor: User) -> None:
    """A child's id answered with nothing about the child (no such record, or a refusal to someone who may
    not identify it) is a look-up, as the reports' look-ups are: counted against the person's search limit,
    so that ids are not probed for free (`LookupsLimited` past it, audited once a minute naming the page)."""
    if search_over_limit(actor, page=_page_name(request)):
        raise LookupsLimited


# The reader's own involvement with the child, read with it (`child_by_id`): `child_known`'s question of an
# archived record, answered in the one query that reads the child, so that no id costs a query more.
_READER_INVOLVED = "reader_ever_involved"


def child_by_id(request: HttpRequest, actor: User, child_id: UUID, *, action: Permission) -> Child:
    """The child a page of `action` names by id, read once. Asked after the page's check of the role alone
    (`require(actor=actor, action=action)`, as `permitted_child` does): refused by role, the answer is the
    same for any id, so an id tells nothing to whom the page is not for.

    An id that never existed, and an archived or closed record's id to someone who may not identify the
    child (`access.policy.answered_as_never_existed`), answer alike with the same work (`no_such_record`):
    the child table read once (with whether this person ever recorded an involvement with it, which is
    all `child_known` asks of a record no longer active), one refusal audited (with the policy's reason
    for `action`, which a record no longer active answers from the row alone), the look-up counted. The
    page then judges the child it is given (`refused_unless`)."""
    involved = Involvement.objects.filter(child_id=OuterRef("pk"), recorded_by_id=actor.pk)
    child = (
        Child.objects.select_related("data_key", "local_authority")
        .annotate(**{_READER_INVOLVED: Exists(involved)})
        .filter(pk=child_id)
        .first()
    )
    if child is None:
        no_such_record(request, actor, action=action, reason="no_such_record")
    if child.status != RecordStatus.ACTIVE and answered_as_never_existed(
        actor=actor, child=child, known=known_to(actor, child)
    ):
        # Its reason is audited, as any refusal's. The policy allows no action of a page by id here
        # (access/tests/test_a_record_no_longer_active_allows_nothing_to_whoever_may_not_identify_it.py).
        decision = decide(actor=actor, action=action, child=child)
        no_such_record(request, actor, action=action, reason=decision.reason, child=child)
    return child


def known_to(actor: User, child: Child) -> bool:
    """`access.policy.child_known`, with the involvement `child_by_id` read with the child (if it did)."""
    involved = getattr(child, _READER_INVOLVED, None)
    return child_known(actor=actor, child=child, ever_involved=None if involved is None else bool(involved))


def no_such_record(
    request: HttpRequest, actor: User, *, action: Permission, reason: str, child: Child | None = None
) -> NoReturn:
    """The answer to an id that never existed, and to an archived or closed record's id to someone who may
    not identify it, with the same work for both: the look-up counted (`probe_counted`), one refusal
    audited (`AccessDenied`, naming the page: the child and its state for a real record, so its LA and
    auditors see a kept id tried, say a former identity's; no child for a made-up id), then `Http404`.
    Nothing more is read or written for either, so neither answers slower."""
    probe_counted(request, actor)
    page = _page_name(request)
    _refusal_audited(
        actor,
        child_id=child.pk if child is not None else None,
        additional={"action": str(action), "reason": reason, **({"page": page} if page else {})},
        child=child,
        unknown=True,  # answered as an id that never existed: it told them nothing
    )
    raise Http404("no such record")


def refused_unless(
    request: HttpRequest,
    actor: User,
    action: Permission,
    child: Child,
    decision: Decision,
    *,
    known: bool | None = None,
) -> None:
    """`Refused` (the audited refusal page, `denied`) unless `decision` allows; a refusal of someone who may
    not identify the child is a look-up that told them nothing, counted (`probe_counted`).

    An archived or closed record's refusal to them answers as an id that never existed, with that id's
    work (`no_such_record`), not the refusal page's. `known`: `child_known`'s answer if the page asked it
    already (None: asked here). The refusal carries the child as read and the judgement made
    (`JudgedChild`): the refusal page neither reads nor judges it again."""
    if decision:
        return
    if known is None:
        known = known_to(actor, child)
    if answered_as_never_existed(actor=actor, child=child, known=known):
        no_such_record(request, actor, action=action, reason=decision.reason, child=child)
    if not known:
        probe_counted(request, actor)
    raise Refused(decision, action=action, child_id=child.pk, judged=JudgedChild(child, known))


def permitted_child(request: HttpRequest, actor: User, child_id: UUID, action: Permission) -> Child:
    """The child by id, the role first (ids are not probed), then the child (`child_by_id`), if the policy
    allows `action` on it (else `refused_unless`)."""
    require(actor=actor, action=action)
    child = child_by_id(request, actor, child_id, action=action)
    refused_unless(request, actor, action, child, decide(actor=actor, action=action, child=child))
    return child
