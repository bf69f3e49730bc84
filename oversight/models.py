"""Alerts for an LA team to act on: break-glass overrides and misuse signals (oversight.misuse).

`raised_by` is the person whose action raised the alert (the override holder, or the user a misuse
rule flagged), so the queue shows whom to look at without any personal data about a child.
"""

from django.conf import settings
from django.db import models


class AlertKind(models.TextChoices):
    SHIELD_OVERRIDE = "shield_override", "Shielded record opened in an emergency"
    OWN_SURNAME_SEARCH = "own_surname_search", "Searched for their own family name"
    OWN_ADDRESS_SEARCH = "own_address_search", "Searched for a child at their own home postcode"
    BULK_VIEWING = "bulk_viewing", "Unusually many records viewed in an hour"
    BULK_REFINED_SEARCHES = "bulk_refined_searches", "Unusually many over-broad searches in an hour"
    BULK_SEARCHING = "bulk_searching", "Unusually many searches in an hour"
    BULK_CHILDREN_FOUND = "bulk_children_found", "Unusually many children found by searching in an hour"
    UNEXPLAINED_VIEWS = (
        "unexplained_views",
        "Unusually many records viewed without a search or an involvement",
    )
    VIEWS_OUTSIDE_LA = (
        "views_outside_la",
        "Unusually many records from other local authorities viewed in an hour",
    )
    OUT_OF_HOURS = "out_of_hours", "Unusually much activity outside working hours"
    BULK_EXPORTED_CHILDREN = (
        "bulk_exported_children",
        "Unusually many children named in disclosure exports in a week",
    )
    SUSTAINED_BROWSING = (
        "sustained_browsing",
        "Unusually many children found or viewed in a day",
    )
    ACCOUNT_AUTO_SUSPENDED = "account_auto_suspended", "Account suspended automatically for misuse"
    REFUSED_LOOKUPS = "refused_lookups", "Unusually many refused look-ups of children in an hour"
    CLOSED_RECORD_TRIED = "closed_record_tried", "A record closed for a new identity was tried"


# Alerts about a child, for the LA team holding it (not the team managing the person's account): they follow
# the child when it is transferred (`oversight.services.alerts_follow_child`), never the person's staff.
CHILD_ALERT_KINDS = (AlertKind.SHIELD_OVERRIDE, AlertKind.CLOSED_RECORD_TRIED)
# Waiting alerts the queue shows first, however old: someone opened or tried a record that exists to be
# kept from them, or an account was suspended (its owner is locked out until the team acts).
URGENT_ALERT_KINDS = (*CHILD_ALERT_KINDS, AlertKind.ACCOUNT_AUTO_SUSPENDED)


class Alert(models.Model):
    # The LA whose team deals with it; for a national alert, the LA the person works for, if any.
    local_authority = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # About an account the system administrator manages (accounts.models.NATIONALLY_MANAGED_ROLES): in the
    # system administrator's queue, not the LA team's, who could not act on it.
    national = models.BooleanField(default=False)
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    child_id = models.UUIDField(null=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # The reason an override holder gave, sealed under the child's data key (as in the audit event):
    # shown to the LA team in the queue, and unreadable once the child's key is shredded.
    reason_sealed = models.TextField(blank=True, default="")
    reason_key = models.ForeignKey(
        "vault.DataKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"Alert {self.pk} ({self.kind})"
