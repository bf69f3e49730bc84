"""A refusal is judged a look-up once, as it is written, and the rule counts only refusals so marked.

Review of the session's own changes (session 38): refusals about the LA team's own LA's children were not
screened, yet the count the next screened refusal ran read every refusal with a look-up reason from the log,
so an LA team member opening its own archived records was alerted (and past 30, suspended) by one refusal
elsewhere; a refusal raised without the child read (`require(child=...)`) could never be exempted; and a
real child's id refused to someone who may not identify it for a reason outside the list ("not their
involvement") was never counted, where a made-up id was. Now `oversight.misuse.refusal_record` marks the
event (`LOOK_UP`) when it is a look-up, the page's judgement included (`access.policy.child_known`), and
the rule counts the marks.
"""

import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from linkage.merging import child_merge
from linkage.tests.test_merge_pages import _pair
from oversight.misuse import LOOK_UP
from oversight.models import Alert, AlertKind
from oversight.rules import REFUSED_LOOKUPS
from tests.journeys import signed_in
from tests.personas import make_child

MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def morning():
    with time_machine.travel(MORNING, tick=False) as clock:
        yield clock


def _archived(world, n: int, la) -> list[Child]:
    kids = [make_child(world, family_name="Thornton", la=la) for _ in range(n)]
    Child.objects.filter(pk__in=[c.pk for c in kids]).update(status=RecordStatus.ARCHIVED)
    return kids


def test_the_la_teams_own_archived_records_are_not_counted_by_a_later_look_up_elsewhere(world, morning):
    own = _archived(world, REFUSED_LOOKUPS.suspend_above + 1, world.north)
    elsewhere = _archived(world, 1, world.south)[0]
    client = signed_in(world.lena)
    for child in own:
        assert client.get(reverse("children:purpose", args=[child.pk])).status_code == 403
    assert client.get(reverse("children:purpose", args=[elsewhere.pk])).status_code == 404
    assert not Alert.objects.exists(), list(Alert.objects.values("kind"))
    world.lena.refresh_from_db()
    assert world.lena.suspended_at is None
    marked = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.lena, additional__look_up=True)
    assert list(marked.values_list("child_id", flat=True)) == [elsewhere.pk]


def test_a_refusal_raised_without_the_child_read_is_judged_on_the_child_as_stored(world, morning):
    """The merge history page refuses by `require(child=...)`: its own LA's survivor, archived since."""
    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, reason="Same child")
    Child.objects.filter(pk=survivor.pk).update(status=RecordStatus.ARCHIVED)
    client = signed_in(world.lena)
    for _ in range(REFUSED_LOOKUPS.alert_above + 1):
        assert client.get(reverse("linkage:merge_detail", args=[merge.pk])).status_code == 403
    refused = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.lena).last()
    assert refused is not None and refused.additional["reason"] == "archived"
    assert refused.child_id == survivor.pk and LOOK_UP not in refused.additional
    assert not Alert.objects.exists()


def test_real_ids_of_children_one_may_not_identify_count_as_made_up_ones_do(world, morning):
    kids = [make_child(world, given_names=f"Kid{i}", family_name="Thornton") for i in range(11)]
    client = signed_in(world.bob)  # a GP in another LA: never searched, never involved
    for kid in kids:
        response = client.get(reverse("coordination:inform_family", args=[kid.pk]))
        assert response.status_code == 403
        assert "Find this child with a search first." in response.content.decode()
    assert Alert.objects.filter(kind=AlertKind.REFUSED_LOOKUPS, raised_by=world.bob).count() == 1


def test_made_up_ids_on_a_page_of_another_app_count(world, morning):
    client = signed_in(world.bob)
    for _ in range(REFUSED_LOOKUPS.alert_above + 1):
        assert client.get(reverse("coordination:inform_family", args=[uuid.uuid4()])).status_code == 404
    assert Alert.objects.filter(kind=AlertKind.REFUSED_LOOKUPS, raised_by=world.bob).count() == 1
