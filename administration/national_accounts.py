"""National accounts: the system administrator invites, suspends, reinstates and closes the accounts of
national auditors, data managers, system administrators and LA ContactPoint team members.

The account services are the LA team's own (accounts.services); the policy decides which accounts are
national and that nobody acts on their own account (access.policy `_decide_national_account`).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from access.http import require
from access.permissions import Permission
from access.policy import NATIONALLY_MANAGED_ROLES
from accounts.http import signed_in_user
from accounts.models import User
from administration.forms import NationalInviteForm
from team.account_pages import CONFIRMATIONS, AccountPages, account_status


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
    return ACCOUNT_PAGES.invite(
        request, actor, lambda data, inviter: NationalInviteForm(data, inviter=inviter)
    )


ACCOUNT_PAGES = AccountPages(
    permission=Permission.NationalAccountManage,
    list_url="administration:accounts",
    invite_template="administration/invite.html",
    account_url="administration:account",
    account_template="administration/account.html",
    confirm_template="administration/account_close.html",
    confirmations={"close": CONFIRMATIONS["close"]},  # the administrator's pages close; nothing else asks
)


# The account pages are the shared flow's own views (signed in; GET, GET/POST, POST, POST).
account = ACCOUNT_PAGES.account
suspend = ACCOUNT_PAGES.suspend
reinstate = ACCOUNT_PAGES.reinstate
close = ACCOUNT_PAGES.close
home_postcode = ACCOUNT_PAGES.home_postcode
resend_invitation = ACCOUNT_PAGES.resend_invitation
correct_invitation_address = ACCOUNT_PAGES.correct_invitation_address
background_check = ACCOUNT_PAGES.background_check
