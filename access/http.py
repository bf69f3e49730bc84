"""How a refusal reaches a person: a 403 page that says why, and an audit event."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from access.permissions import Permission
from access.policy import Decision
from audit.services import event_record
from audit.tags import AuditTag


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
