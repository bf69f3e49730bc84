"""One-off data changes that migrations run, kept as functions so tests run them on today's models.

Why each exists is in its docstring; the migration that calls it passes the models of its own state.
"""

from typing import Any


def offers_before_lead_versions_overtaken(lead_proposal: Any, child: Any) -> int:
    """Every child with an offer to lead still open when `Child.lead_version` came in has its count set
    to 1, so every such offer is overtaken: the proposer offers again.

    An offer's digest at version 0 is the digest of the lead alone, as before the count existed, so an
    offer made while nobody led, followed before the upgrade by a lead named and cleared, would still
    match and could be accepted (review of session 39). Which offers saw a change of lead before the
    count cannot be told from the rows; overtaking them all costs a proposer one more click."""
    open_offers = lead_proposal.objects.filter(accepted_at__isnull=True).values("involvement__child_id")
    return int(child.objects.filter(pk__in=open_offers, lead_version=0).update(lead_version=1))
