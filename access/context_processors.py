"""What the navigation offers: only the sections the signed-in role may use (the policy still decides)."""

from typing import Any

from django.http import HttpRequest

from access.permissions import Permission
from access.policy import ROLES_BY_PERMISSION


def navigation(request: HttpRequest) -> dict[str, Any]:
    role = getattr(getattr(request, "user", None), "role", None)
    return {
        "nav_search": role in ROLES_BY_PERMISSION[Permission.ChildSearch],
        "nav_team": role in ROLES_BY_PERMISSION[Permission.AccountManage],
        "nav_audit": role in ROLES_BY_PERMISSION[Permission.AuditReportView],
        "nav_reviews": role in ROLES_BY_PERMISSION[Permission.ReviewDecide],
    }


def home_url_name(request: HttpRequest) -> str:
    """Where a signed-in person starts: the first section their role may use."""
    offered = navigation(request)
    if offered["nav_search"]:
        return "children:search"
    if offered["nav_audit"]:
        return "audit:index"
    return "accounts:passkeys"
