"""What the navigation offers: only the sections the signed-in role may use (the policy still decides)."""

from typing import Any

from django.http import HttpRequest

from access.permissions import Permission
from access.policy import ROLES_BY_PERMISSION, decide
from accounts.models import Role
from oversight.services import alerts_unacknowledged_count


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", None)
    offered: dict[str, Any] = {
        "nav_search": role in ROLES_BY_PERMISSION[Permission.ChildSearch],
        "nav_team": role in ROLES_BY_PERMISSION[Permission.AccountManage],
        "nav_audit": role in ROLES_BY_PERMISSION[Permission.AuditReportView],
        "nav_data_quality": role in ROLES_BY_PERMISSION[Permission.DataQualityView],
        "nav_service_health": role in ROLES_BY_PERMISSION[Permission.ServiceHealthView],
        "nav_administration": role in ROLES_BY_PERMISSION[Permission.OrganisationManage],
        "nav_inbox": role in ROLES_BY_PERMISSION[Permission.InboxView],
        "nav_match_statistics": role in ROLES_BY_PERMISSION[Permission.MatchStatisticsView],
        "nav_reviews": role in ROLES_BY_PERMISSION[Permission.ReviewDecide],
        "nav_local_insight": role in ROLES_BY_PERMISSION[Permission.LocalInsightView],
        "nav_national_insight": role in ROLES_BY_PERMISSION[Permission.NationalInsightView],
        "nav_corrections": role in ROLES_BY_PERMISSION[Permission.CorrectionDecide],
        "nav_complaints": role in ROLES_BY_PERMISSION[Permission.ComplaintManage],
    }
    offered["nav_alerts"] = role in ROLES_BY_PERMISSION[Permission.AlertView]
    if offered["nav_alerts"] and user is not None and decide(actor=user, action=Permission.AlertView).allowed:
        offered["nav_alerts_waiting"] = alerts_unacknowledged_count(
            local_authority_id=user.home_la_id, national=role == Role.SYSTEM_ADMIN
        )
    return offered


def home_url_name(request: HttpRequest) -> str:
    """Where a signed-in person starts: the first section their role may use."""
    offered = navigation(request)
    if offered["nav_search"]:
        return "children:search"
    if offered["nav_audit"]:
        return "audit:index"
    if offered["nav_data_quality"]:
        return "data_quality"
    if offered["nav_administration"]:
        return "administration:home"  # whose home links to service health
    return "accounts:passkeys"
