"""LA team pages: accounts in their own LA and lapsing vetting (the alert queue is oversight's)."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from access.http import Refused, require
from access.permissions import Permission
from access.policy import LA_MANAGED_ROLES, Decision, holds_vetting
from accounts.http import signed_in_user
from accounts.models import Role, User, background_check_lapses_on, training_lapses_on
from accounts.services import mfa_reset
from team.account_pages import CONFIRMATIONS, AccountPages, account_status, mfa_reset_told
from team.forms import InviteForm

LAPSE_WARNING = timedelta(days=30)


# Who the "All accounts" list names: the accounts the team looks after (`LA_MANAGED_ROLES`), its colleagues
# and data manager (whose activity it reads: docs/DECISIONS.md sections 24 and 25), and its LA's feed
# sources (systems sending its records). Never a national auditor or system administrator attached to the
# LA: the team may neither open nor act on those accounts, and the auditor reviews the team.
LISTED_ROLES = LA_MANAGED_ROLES | {Role.LA_TEAM, Role.DATA_MANAGER, Role.FEED_SOURCE}


def _la_users(actor: User) -> list[User]:
    la_id = actor.home_la_id
    return list(
        User.objects.filter(Q(organisation_id=la_id) | Q(organisation__local_authority_id=la_id))
        .filter(role__in=LISTED_ROLES)
        .select_related("organisation", "invitation")
        .order_by("last_name", "first_name")
    )


def _lapses_soon(user: User) -> bool:
    horizon = timezone.localdate() + LAPSE_WARNING
    check_ends = background_check_lapses_on(user.background_check_on) if user.background_check_on else None
    training_ends = training_lapses_on(user.training_completed_on) if user.training_completed_on else None
    return any(end is None or end <= horizon for end in (check_ends, training_ends))


@login_required
@require_http_methods(["GET"])
def users(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.AccountManage)
    people = _la_users(actor)
    lapsing = [u for u in people if u.is_active and holds_vetting(u) and _lapses_soon(u)]
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
    return ACCOUNT_PAGES.invite(
        request, actor, lambda data, inviter: InviteForm(data, local_authority_id=la_id, inviter=inviter)
    )


ACCOUNT_PAGES = AccountPages(
    permission=Permission.AccountManage,
    list_url="team:users",
    invite_template="team/invite.html",
    account_url="team:user",
    account_template="team/user_detail.html",
    confirm_template="team/confirm.html",
    confirmations=CONFIRMATIONS,
)


# The account pages are the shared flow's own views (signed in; GET, GET/POST, POST, POST, POST, POST,
# POST, POST, GET/POST).
user_detail = ACCOUNT_PAGES.account
suspend = ACCOUNT_PAGES.suspend
reinstate = ACCOUNT_PAGES.reinstate
close = ACCOUNT_PAGES.close
home_postcode = ACCOUNT_PAGES.home_postcode
resend_invitation = ACCOUNT_PAGES.resend_invitation
correct_invitation_address = ACCOUNT_PAGES.correct_invitation_address
background_check = ACCOUNT_PAGES.background_check


@login_required
@require_POST
def reset_mfa(request: HttpRequest, user_id: int) -> HttpResponse:
    return ACCOUNT_PAGES.change(
        request,
        user_id,
        lambda subject, by, recheck: mfa_reset(user=subject, by=by, recheck=recheck),
        "",
        confirm="reset_mfa",
        told=mfa_reset_told,
    )
