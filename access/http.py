"""How a refusal reaches a person: a 403 page that says why, and an audit event, written in one place.

Views call `require(...)`, which raises `Refused` when the policy says no; `RefusalMiddleware` turns it
into the audited page. (`refusal(...)` is the same decision for views that prefer an early return.)
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast
from uuid import UUID

from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_resolver

from access.permissions import Permission
from access.policy import ChildRefusal, Decision, child_refusal_told, decide, prerequisites
from accounts.http import signed_in_user
from accounts.models import Organisation, OrganisationKind, User
from accounts.services import ActorCannotAct
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child, Involvement
from disclosure.models import DisclosureExport
from lifecycle.models import Transfer
from linkage.models import ChildMerge, ClericalReview
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
    event_record(
        tag=AuditTag.AccessDenied, actor=actor or request.user, child_id=child_id, additional=additional
    )
    told = _told(actor or request.user, action, decision, child_id, judged)
    if told is None:
        return _no_such_record(request)
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


def _told(
    user: object, action: Permission, decision: Decision, child_id: UUID | None, judged: JudgedChild | None
) -> ChildRefusal | None:
    """What the refusal page says (`access.policy.child_refusal_told`): the reason shown and the child whose
    LA it names, or None (the page of an id that never existed). A refusal naming no child, or to someone
    signed out, is about the person: it says what it says. The child as the refusing page judged it, if it
    says (`JudgedChild`), else as stored now."""
    if child_id is None or not isinstance(user, User):
        return ChildRefusal(decision)
    if judged is not None:
        return child_refusal_told(
            actor=user, action=action, child=judged.child, refused=decision, known=judged.known
        )
    child = Child.objects.select_related("local_authority").filter(pk=child_id).first()
    return child_refusal_told(actor=user, action=action, child=child, refused=decision)


def _no_such_record(request: HttpRequest) -> HttpResponse:
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
    """Renders every `Refused` raised by a view as the audited refusal page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Refused):
            return refused_page(request, exception)
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
