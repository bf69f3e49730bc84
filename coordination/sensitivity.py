"""Is one side of a match a sensitive service? Asked when a match is withdrawn (its audit entry keeps the
answer, as the match row goes) and by the subject access report of a match still in place.

A sensitive service is recorded only with the child's consent, so a report that told the requester of a
match with one (a practitioner told about another) would tell them of the service.
"""

from accounts.models import Organisation, OrganisationKind
from children.models import Involvement
from children.selectors import involvement_details
from vault.crypto import KeyRevoked
from vault.keys import KeyShredded


def involvement_sensitive(involvement: Involvement) -> bool:
    """By its recorder's organisation, its sealed category, or the organisation it was recorded for if the
    directory classes that as a sensitive service now (as the record page judges it,
    `children.selectors.InvolvementView.is_sensitive`). Opened for those fields; a shredded key cannot
    say, so the side is taken as sensitive: destroyed in the database (`KeyShredded`) or revoked at the
    provider by a purge or merge that then failed (`KeyRevoked`)."""
    organisation = involvement.recorded_by.organisation if involvement.recorded_by else None
    if organisation is not None and organisation.kind == OrganisationKind.SENSITIVE:
        return True
    try:
        details = involvement_details(involvement)
    except (KeyShredded, KeyRevoked):
        return True
    if details.sensitive_category is not None:
        return True
    return Organisation.objects.filter(pk=details.organisation_id, kind=OrganisationKind.SENSITIVE).exists()
