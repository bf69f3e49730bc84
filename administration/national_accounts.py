"""National accounts: the system administrator invites, suspends, reinstates and closes the accounts of
national auditors, data managers, system administrators and LA ContactPoint team members.

The account services are the LA team's own (accounts.services); the policy decides which accounts are
national and that nobody acts on their own account (access.policy `_decide_national_account`).
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from access.http import refusal, require
from access.permissions import Permission
from access.policy import NATIONALLY_MANAGED_ROLES
from accounts.http import signed_in_user
from accounts.models import User
from accounts.services import account_close, account_reinstate, account_suspend
from accounts.stepup import step_up
from administration.forms import NationalInviteForm
from team.forms import SuspendForm
from team.views import CONFIRMATIONS, account_status

CLOSE = CONFIRMATIONS["close"]


@login_required
@require_http_methods(["GET"])
def accounts(request: HttpRequest) -> HttpResponse:
    require(actor=signed_in_user(request), action=Permission.NationalAccountManage)
    people = list(
        User.objects.filter(role__in=NATIONALLY_MANAGED_ROLES)
        .select_related("organisation", "invitation")
        .order_by("last_name", "first_name")
    )
    statuses = {person.pk: account_status(person) for person in people}
    return render(request, "administration/accounts.html", {"people": people, "statuses": statuses})


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.NationalAccountManage)
    if stale := step_up(request):
        return stale
    form = NationalInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.invite(by=actor)
        messages.success(request, "Invitation sent. The link works once, for 24 hours.")
        return redirect("administration:accounts")
    return render(request, "administration/invite.html", {"form": form})


def _subject(request: HttpRequest, user_id: int) -> tuple[User, User, HttpResponse | None]:
    """The account, after the policy: a role without access is refused before the lookup (ids are not probed)."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.NationalAccountManage)
    subject = get_object_or_404(User.objects.select_related("organisation"), pk=user_id)
    return (
        actor,
        subject,
        refusal(request, actor=actor, action=Permission.NationalAccountManage, subject=subject),
    )


def _detail(request: HttpRequest, subject: User, form: SuspendForm) -> HttpResponse:
    context = {"subject": subject, "suspend_form": form, "status": account_status(subject)}
    return render(request, "administration/account.html", context)


@login_required
@require_http_methods(["GET"])
def account(request: HttpRequest, user_id: int) -> HttpResponse:
    _, subject, refused = _subject(request, user_id)
    if refused:
        return refused
    if request.GET.get("confirm") == "close" and subject.is_active:
        name = subject.get_full_name() or subject.username
        context = {"subject": subject, "heading": CLOSE.heading.format(name=name), "confirmation": CLOSE}
        return render(request, "administration/account_close.html", context)
    return _detail(request, subject, SuspendForm())


@login_required
@require_http_methods(["GET", "POST"])
def suspend(request: HttpRequest, user_id: int) -> HttpResponse:
    actor, subject, refused = _subject(request, user_id)
    if refused:
        return refused
    if stale := step_up(request):
        return stale
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_suspend(user=subject, by=actor, reason=form.cleaned_data["reason"])
        messages.success(request, "Account suspended. All its sessions have ended.")
        return redirect("administration:account", user_id=subject.pk)
    return _detail(request, subject, form)


def _change(
    request: HttpRequest, user_id: int, change: Callable[[User, User], None], done: str, *, confirm: bool
) -> HttpResponse:
    """Policy, step-up, (the confirmation page's `confirmed=yes`), one account service, a message."""
    actor, subject, refused = _subject(request, user_id)
    if refused:
        return refused
    if stale := step_up(request):
        return stale
    if confirm and request.POST.get("confirmed") != "yes":
        return redirect(f"{reverse('administration:account', args=[subject.pk])}?confirm=close")
    change(subject, actor)
    messages.success(request, done)
    return redirect("administration:account", user_id=subject.pk)


@login_required
@require_POST
def reinstate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _change(
        request,
        user_id,
        lambda subject, by: account_reinstate(user=subject, by=by),
        "Account reinstated",
        confirm=False,
    )


@login_required
@require_POST
def close(request: HttpRequest, user_id: int) -> HttpResponse:
    return _change(
        request,
        user_id,
        lambda subject, by: account_close(user=subject, by=by),
        "Account closed",
        confirm=True,
    )
