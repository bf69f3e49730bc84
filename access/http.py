"""How a refusal reaches a person: a 403 page that says why, and an audit event."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from access.permissions import Permission
from access.policy import Decision, decide
from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child, Involvement


def denied(
    request: HttpRequest, decision: Decision, *, action: Permission, child_id: UUID | None = None
) -> HttpResponse:
    event_record(
        tag=AuditTag.AccessDenied,
        actor=request.user,
        child_id=child_id,
        additional={"action": str(action), "reason": decision.reason},
    )
    return render(request, "access/denied.html", {"decision": decision}, status=403)


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
    decision = decide(actor=actor, action=action, child=child, involvement=involvement, subject=subject)
    if decision:
        return None
    return denied(request, decision, action=action, child_id=child.pk if child is not None else None)
