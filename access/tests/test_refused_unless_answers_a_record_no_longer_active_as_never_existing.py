"""`access.http.refused_unless` answers an archived or closed record, refused to someone who may not identify
the child, as an id that never existed (404, one refusal audited, counted), even on a page that did not read
the child through `child_by_id` first (which answers it so itself): the rule holds wherever it is asked."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from access.http import refused_unless
from access.permissions import Permission
from access.policy import decide
from accounts.ratelimit import SEARCH_USER
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus


@pytest.mark.parametrize("status", [RecordStatus.ARCHIVED, RecordStatus.CLOSED])
def test_a_record_no_longer_active_is_answered_as_an_id_that_never_existed(world, child, status):
    Child.objects.filter(pk=child.pk).update(status=status)
    stored = Child.objects.get(pk=child.pk)
    decision = decide(actor=world.bob, action=Permission.ChildView, child=stored)
    assert not decision
    with pytest.raises(Http404):
        refused_unless(RequestFactory().get("/"), world.bob, Permission.ChildView, stored, decision)
    refused = AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor=world.bob)
    assert refused.child_id == child.pk and refused.additional["reason"] == decision.reason
    assert SEARCH_USER.count(str(world.bob.pk)) == 1
