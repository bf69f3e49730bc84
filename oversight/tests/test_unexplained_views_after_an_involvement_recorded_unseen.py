"""An involvement explains a person's later views of a child only if they had looked at the record before
recording it; that first look is judged on its own (a search that showed the child, or an alert).

Review, session 32: any practitioner may record an involvement with any child once a purpose is stated,
and stating one shows nothing and records no view. So a child opened by id (never searched) could be
given an involvement first and viewed after it: every view "explained", none on the LA team's
unexplained-views report, and no alert however many children were opened so.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from children.viewing import PurposeGrant, record_view_audit
from oversight.models import Alert, AlertKind
from reports.reports import unexplained_views
from reports.tests.reporting import searched
from tests.journeys import INVOLVEMENT_FORM, signed_in, state_purpose
from tests.personas import make_child

# Wednesday 2 December 2026, mid-morning (GMT): working hours, so only the rules under test can alert.
MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
NAMES = ["Begum", "Okafor", "Nowak", "Patel"]


@pytest.fixture(autouse=True)
def _three_an_hour(settings):
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = 3
    settings.MISUSE_SUSPEND_FACTOR = 2


@pytest.fixture
def morning():
    with time_machine.travel(MORNING, tick=False) as clock:
        yield clock


def _involvement_then_view(client, child) -> None:
    """Purpose stated (its redirect to the record not followed), involvement recorded, then the record."""
    state_purpose(client, child)
    recorded = client.post(reverse("children:involvement_new", args=[child.pk]), INVOLVEMENT_FORM)
    assert recorded.status_code == 302
    page = client.get(reverse("children:record", args=[child.pk]))
    assert page.status_code == 200
    assert "12 Quarry Lane" in page.content.decode()  # the full record was shown


def _unexplained_children(world):
    return {e.child_id for e in unexplained_views(fetched_by=world.lena).filter(actor=world.alice)}


def test_an_involvement_recorded_before_ever_looking_does_not_explain_the_view(world, morning):
    children = [make_child(world, family_name=name) for name in NAMES]
    client = signed_in(world.alice)
    for child in children:
        _involvement_then_view(client, child)
    assert AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded, actor=world.alice).count() == 4
    assert _unexplained_children(world) == {c.pk for c in children}
    # the fourth distinct child this hour passes the threshold of 3
    assert Alert.objects.get(kind=AlertKind.UNEXPLAINED_VIEWS).raised_by == world.alice


def test_an_involvement_recorded_after_looking_explains_the_later_views_only(world, morning):
    """The first look stays on the report; the person's returns to a child they now work with do not."""
    children = [make_child(world, family_name=name) for name in NAMES[:3]]
    grant = PurposeGrant(purpose="providing_service", detail_sealed=None)
    for child in children:
        record_view_audit(child=child, by=world.alice, grant=grant, restricted=False)
        event_record(tag=AuditTag.InvolvementRecorded, actor=world.alice, child_id=child.pk)
    first_looks = set(AuditEvent.objects.filter(tag=AuditTag.RecordViewed).values_list("pk", flat=True))
    morning.shift(timedelta(hours=2))
    for child in children:
        record_view_audit(child=child, by=world.alice, grant=grant, restricted=False)
    listed = unexplained_views(fetched_by=world.lena).filter(actor=world.alice)
    assert set(listed.values_list("pk", flat=True)) == first_looks
    assert not Alert.objects.exists()


def test_a_search_that_showed_the_child_still_explains_a_view_after_an_involvement(world, morning, child):
    assert searched(world.alice) == [child]
    client = signed_in(world.alice)
    _involvement_then_view(client, child)
    assert _unexplained_children(world) == set()


def test_someone_elses_look_does_not_let_an_involvement_explain(world, morning, child):
    grant = PurposeGrant(purpose="providing_service", detail_sealed=None)
    record_view_audit(child=child, by=world.lena, grant=grant, restricted=False)
    client = signed_in(world.alice)
    _involvement_then_view(client, child)
    assert _unexplained_children(world) == {child.pk}
