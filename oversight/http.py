"""What a page does when a misuse rule has just suspended the person it is answering."""

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from access.http import refusal
from access.permissions import Permission
from accounts.models import User


def signed_out_if_suspended(request: HttpRequest, *, actor: User, action: Permission) -> HttpResponse | None:
    """None if the actor is still in good standing; otherwise the audited refusal, and sign-out.

    The suspension already deleted every stored session; signing out here as well stops this very
    response from showing the record or results, and from re-saving the deleted session.
    """
    if actor.suspended_at is None:
        return None
    response = refusal(request, actor=actor, action=action)
    logout(request)
    return response
