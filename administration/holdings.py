"""What keeps a local authority open, and accredited: the children's records allocated to it and its open
organisations. One count for the close (`administration.organisations`) and for taking an LA's
accreditation away (the form, and the save again under the LA's row lock)."""

from dataclasses import dataclass

from accounts.directory import open_organisations
from accounts.models import Organisation, OrganisationKind
from children.models import Child


@dataclass(frozen=True)
class LocalAuthorityHoldings:
    """What keeps an LA open: the children's records allocated to it and its open organisations."""

    children: int
    open_organisations: int


def still_holds(organisation: Organisation) -> LocalAuthorityHoldings | None:
    """None unless `organisation` is an LA that children's records or open organisations still depend on.

    Only an LA's team (and data manager) act for its children and look after its organisations' staff,
    and closing the LA refuses them: a break-glass on its shielded child would alert nobody who can sign
    in, and its practitioners would have nobody to suspend them (as for an organisation moved into a closed
    LA, `administration.forms._local_authorities`). Every record counts, archived and closed ones too:
    the data manager reads the archive, the team answers subject access and complaints about the rest."""
    if organisation.kind != OrganisationKind.LOCAL_AUTHORITY:
        return None
    holdings = LocalAuthorityHoldings(
        children=Child.objects.filter(local_authority=organisation).count(),
        open_organisations=open_organisations().filter(local_authority=organisation).count(),
    )
    return holdings if holdings.children or holdings.open_organisations else None
