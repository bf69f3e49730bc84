"""Record views: a stated purpose opens a short grant in the session; each view is audited."""

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child
from oversight.misuse import CHILD_LA, OUTSIDE_HOME_LA, view_screen
from vault.sealing import note_seal

# Where the purpose grants live in the session; public so a test copying a session can move their expiry on.
PURPOSES_SESSION_KEY = "view_purposes"


@dataclass(frozen=True)
class PurposeGrant:
    purpose: str
    detail_sealed: str | None
    # The LA team opened the record from this alert in its queue: the view is explained by the alert.
    alert_id: int | None = None


def purpose_grant_store(
    session: Any, *, child: Child, purpose: str, detail: str, alert_id: int | None = None
) -> None:
    grants = session.get(PURPOSES_SESSION_KEY, {})
    now = time.time()
    grants = {k: v for k, v in grants.items() if v["expires"] > now}
    grants[str(child.pk)] = {
        "purpose": purpose,
        "detail_sealed": note_seal(child.data_key, context="purpose", text=detail) if detail else None,
        "expires": now + settings.VIEW_PURPOSE_TTL_SECONDS,
        "alert_id": alert_id,
    }
    session[PURPOSES_SESSION_KEY] = grants


def purpose_grant_for(session: Any, *, child: Child) -> PurposeGrant | None:
    grant = session.get(PURPOSES_SESSION_KEY, {}).get(str(child.pk))
    if not grant or grant["expires"] <= time.time():
        return None
    return PurposeGrant(
        purpose=grant["purpose"], detail_sealed=grant["detail_sealed"], alert_id=grant.get("alert_id")
    )


def record_view_audit(
    *, child: Child, by: User, grant: PurposeGrant, restricted: bool, page: str | None = None
) -> None:
    """Audit the view, then let the viewing rules count it (they may suspend `by`: callers re-check).

    A child of another LA than the viewer's own is marked on the event, so the rule counts it from the log.
    `page` names a page other than the record that shows its details under the same stated purpose
    (lead professional, CAF, a correction): each is a view too, or a purpose POSTed and those pages
    read would reveal a child with nothing in the log and nothing counted.
    """
    home_la_id = by.home_la_id
    outside = home_la_id is not None and child.local_authority_id != home_la_id
    with transaction.atomic():
        event_record(
            tag=AuditTag.RecordViewed,
            actor=by,
            child_id=child.pk,
            additional={
                "purpose": grant.purpose,
                "purpose_detail_sealed": grant.detail_sealed,
                "restricted_view": restricted,
                **({"alert_id": grant.alert_id} if grant.alert_id is not None else {}),
                **({OUTSIDE_HOME_LA: True} if outside else {}),
                CHILD_LA: child.local_authority_id,
                **({"page": page} if page is not None else {}),
            },
        )
        view_screen(user=by)
