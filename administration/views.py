"""The system administrator's home: what they look after, one link each. Nothing here is about a child."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from access.http import require
from access.permissions import Permission
from access.policy import NATIONALLY_MANAGED_ROLES
from accounts.directory import open_organisations
from accounts.http import signed_in_user
from accounts.models import User


@login_required
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.OrganisationManage)
    context = {
        "open_organisations": open_organisations().count(),
        "national_accounts": User.objects.filter(role__in=NATIONALLY_MANAGED_ROLES, is_active=True).count(),
    }
    return render(request, "administration/home.html", context)
