"""A page (not the record page itself) that shows a child's details under a stated purpose is a look at
the record: audited as a view and counted by the viewing rules, which may suspend the viewer there and
then. One helper for every such page (lead professional, CAF, corrections), so none forgets a half."""

from django.http import HttpRequest, HttpResponse

from access.permissions import Permission
from accounts.models import User
from children.models import Child
from children.viewing import PurposeGrant, record_view_audit
from oversight.http import signed_out_if_suspended


def look_audited(
    request: HttpRequest, *, actor: User, child: Child, grant: PurposeGrant, full: bool, page: str
) -> HttpResponse | None:
    """Audit the look (restricted unless `full`); the response if the viewing rules suspended `actor`."""
    record_view_audit(child=child, by=actor, grant=grant, restricted=not full, page=page)
    return signed_out_if_suspended(request, actor=actor, action=Permission.ChildView)
