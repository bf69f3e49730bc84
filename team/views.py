"""LA team pages: accounts in their own LA and lapsing vetting (the alert queue is oversight's)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from access.http import Refused, refusal, require
from access.permissions import Permission
from access.policy import Decision
from accounts.http import signed_in_user
from accounts.models import BACKGROUND_CHECK_VALID_FOR, TRAINING_VALID_FOR, Invitation, User
from accounts.services import account_close, account_reinstate, account_suspend, mfa_reset
from accounts.stepup import step_up
from team.forms import InviteForm, SuspendForm

LAPSE_WARNING = timedelta(days=30)


def _la_users(actor: User) -> list[User]:
    la_id = actor.home_la_id
    return list(
        User.objects.filter(Q(organisation_id=la_id) | Q(organisation__local_authority_id=la_id))
        .select_related("organisation", "invitation")
        .order_by("last_name", "first_name")
    )


def _lapses_soon(user: User) -> bool:
    horizon = timezone.localdate() + LAPSE_WARNING
    check_ends = user.background_check_on + BACKGROUND_CHECK_VALID_FOR if user.background_check_on else None
    training_ends = user.training_completed_on + TRAINING_VALID_FOR if user.training_completed_on else None
    return any(end is None or end <= horizon for end in (check_ends, training_ends))


@login_required
@require_http_methods(["GET"])
def users(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.AccountManage)
    people = _la_users(actor)
    lapsing = [u for u in people if u.is_active and _lapses_soon(u)]
    statuses = {person.pk: account_status(person) for person in people}
    return render(request, "team/users.html", {"people": people, "lapsing": lapsing, "statuses": statuses})


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.AccountManage)
    la_id = actor.home_la_id
    if la_id is None:  # the policy has refused this already ("no_organisation"); this narrows the type
        raise Refused(Decision(False, "no_organisation"), action=Permission.AccountManage)
    if stale := step_up(request):
        return stale
    form = InviteForm(request.POST or None, local_authority_id=la_id)
    if request.method == "POST" and form.is_valid():
        form.invite(by=actor)
        messages.success(request, "Invitation sent. The link works once, for 24 hours.")
        return redirect("team:users")
    return render(request, "team/invite.html", {"form": form})


def _subject(request: HttpRequest, user_id: int) -> tuple[User, User, HttpResponse | None]:
    """The account, after the policy: a role without access is refused before the lookup (ids are not probed)."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.AccountManage)
    subject = get_object_or_404(User.objects.select_related("organisation"), pk=user_id)
    return actor, subject, refusal(request, actor=actor, action=Permission.AccountManage, subject=subject)


@dataclass(frozen=True)
class Confirmation:
    """A change that cannot be undone with one click asks first, on its own page (GOV.UK pattern)."""

    heading: str
    consequences: str
    button: str
    url_name: str


CONFIRMATIONS = {
    "close": Confirmation(
        heading="Are you sure you want to close {name}'s account?",
        consequences=(
            "They will not be able to sign in again. Their sessions end now and their authenticator app, "
            "recovery codes and passkeys are removed. What they did stays in the audit log."
        ),
        button="Yes, close this account",
        url_name="team:close",
    ),
    "reset_mfa": Confirmation(
        heading="Are you sure you want to reset {name}'s security codes?",
        consequences=(
            "Their authenticator app, recovery codes and passkeys will stop working. They will set up a "
            "new authenticator app the next time they sign in. Only do this once you have checked who "
            "is asking."
        ),
        button="Yes, reset their security codes",
        url_name="team:reset_mfa",
    ),
}


def account_status(user: User) -> str:
    """What the LA team sees: Closed, Suspended, Invited (until the invitation is accepted), Active."""
    if not user.is_active:
        return "Closed"
    if user.suspended_at is not None:
        return "Suspended"
    try:
        invitation: Invitation | None = user.invitation
    except Invitation.DoesNotExist:
        invitation = None
    if invitation is not None and invitation.used_at is None:
        return "Invited" if invitation.expires_at > timezone.now() else "Invitation expired"
    return "Active"


@login_required
@require_http_methods(["GET"])
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    _, subject, refusal = _subject(request, user_id)
    if refusal:
        return refusal
    confirmation = CONFIRMATIONS.get(request.GET.get("confirm", ""))
    if confirmation is not None and subject.is_active:
        name = subject.get_full_name() or subject.username
        context = {
            "subject": subject,
            "heading": confirmation.heading.format(name=name),
            "confirmation": confirmation,
        }
        return render(request, "team/confirm.html", context)
    context = {"subject": subject, "suspend_form": SuspendForm(), "status": account_status(subject)}
    return render(request, "team/user_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def suspend(request: HttpRequest, user_id: int) -> HttpResponse:
    actor, subject, refusal = _subject(request, user_id)
    if refusal:
        return refusal
    if stale := step_up(request):
        return stale
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_suspend(user=subject, by=actor, reason=form.cleaned_data["reason"])
        messages.success(request, "Account suspended. All its sessions have ended.")
        return redirect("team:user", user_id=subject.pk)
    context = {"subject": subject, "suspend_form": form, "status": account_status(subject)}
    return render(request, "team/user_detail.html", context)


def _account_change(
    request: HttpRequest,
    user_id: int,
    change: Callable[[User, User], None],
    done: str,
    *,
    confirm: str | None = None,
) -> HttpResponse:
    """The shape every account change shares: policy, step-up, (confirmation), one service, a message.

    A change named in CONFIRMATIONS happens only when the confirmation page's button sent
    `confirmed=yes`; any other request is sent to that page first.
    """
    actor, subject, refusal = _subject(request, user_id)
    if refusal:
        return refusal
    if stale := step_up(request):
        return stale
    if confirm is not None and request.POST.get("confirmed") != "yes":
        return redirect(f"{reverse('team:user', args=[subject.pk])}?confirm={confirm}")
    change(subject, actor)
    messages.success(request, done)
    return redirect("team:user", user_id=subject.pk)


@login_required
@require_POST
def reinstate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _account_change(
        request, user_id, lambda subject, by: account_reinstate(user=subject, by=by), "Account reinstated"
    )


@login_required
@require_POST
def close(request: HttpRequest, user_id: int) -> HttpResponse:
    return _account_change(
        request,
        user_id,
        lambda subject, by: account_close(user=subject, by=by),
        "Account closed",
        confirm="close",
    )


@login_required
@require_POST
def reset_mfa(request: HttpRequest, user_id: int) -> HttpResponse:
    return _account_change(
        request,
        user_id,
        lambda subject, by: mfa_reset(user=subject, by=by),
        "Security codes reset. The user will set up a new authenticator at next sign-in.",
        confirm="reset_mfa",
    )
