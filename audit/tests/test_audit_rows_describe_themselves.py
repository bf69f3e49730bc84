"""Audit rows describe themselves by ids, tags and sizes only: never anything personal."""

import uuid

from audit.models import AuditEvent, AuditHead, AuditSubtree, SearchAppearance
from audit.tags import AuditTag


def test_audit_rows_describe_themselves_without_personal_data():
    assert str(AuditEvent(id=7, tag=AuditTag.RecordViewed, additional={"postcode": "LS1 4AB"})) == (
        "7 child:record:viewed"
    )
    assert str(AuditSubtree(level=8, index=3)) == "subtree 8/3"
    assert str(AuditHead(size=1024, root="ab" * 32)) == "head 1024"
    child_id = uuid.uuid4()
    assert str(SearchAppearance(event_id=7, actor_id=3, child_id=child_id)) == "appearance in event 7"
