"""The refused look-ups rule counts look-ups only: refusals whose reason says the child may not be seen or
identified by this person there (`oversight.misuse.LOOKUP_REFUSALS`: an id that never existed or answered as
one, found by no search, archived, closed, shielded, not shielded for break-glass, another LA's, not
involved, not archived on the archive pages). A refusal about what the person may do with a child they may
see (their own correction, an export that is not theirs, a transfer decided already, someone else's
involvement) probes nothing: it is neither screened (no lock) nor counted. Nor is a refusal about a child of
the LA team's own LA to that team, who may identify every child it holds.

Review (oversight, helper 10): every `AccessDenied` naming a child counted whatever its reason but those
about the person, so an LA team member working through the shared corrections queue, or opening their own
LA's archived records, raised a "refused look-ups" misuse alert.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from access.policy import REASON_MESSAGES
from children.models import Child, RecordStatus
from oversight.misuse import (
    LOOKUP_REFUSALS,
    NO_SUCH_RECORD,
    REFUSALS_ABOUT_THE_PERSON,
    refusal_counted,
    refusal_record,
)
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in
from tests.personas import make_child

MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday, working hours
WORKFLOW_REFUSALS = [
    ("own_correction", "correction_decide"),
    ("correction_shielded", "correction_decide"),
    ("not_a_field", "correction_raise"),
    ("not_own_involvement", "involvement_coordinate"),
    ("own_export", "disclosure_export_decide"),
    ("not_requester", "disclosure_export_download"),
    ("transfer_decided", "transfer_decide"),
    ("transfer_withdrawn", "transfer_decide"),
    ("not_receiving_la", "transfer_decide"),
    ("not_sending_la", "transfer_withdraw"),
    ("review_shielded", "review_resolve"),
    ("archive_statutory_reason_required", "archive_view"),
]


def _refused(user, child, reason, action="child_view"):
    """A refusal as `access.http` writes it: the audit event, then the screen, in one transaction."""
    refusal_record(
        actor=user, child_id=child.pk, additional={"action": action, "reason": reason}, child=child
    )


def _queue(world) -> str:
    return signed_in(world.lena).get(reverse("oversight:alerts")).content.decode()


@pytest.mark.parametrize(("reason", "action"), WORKFLOW_REFUSALS)
def test_refusals_about_what_is_done_with_a_child_raise_no_refused_look_ups_alert(world, reason, action):
    with time_machine.travel(MORNING, tick=False):
        children = [make_child(world, family_name="Thornton") for _ in range(11)]
        for child in children:
            _refused(world.alice, child, reason, action)
        assert not refusal_counted(reason=reason, child=children[0])
    assert not Alert.objects.exists()
    assert "Many refused" not in _queue(world) and 'data-kind="refused_lookups"' not in _queue(world)


@pytest.mark.parametrize("reason", sorted(LOOKUP_REFUSALS - {NO_SUCH_RECORD}))
def test_eleven_look_ups_refused_in_an_hour_alert_whatever_the_look_up_reason(world, reason):
    with time_machine.travel(MORNING, tick=False):
        child = make_child(world, family_name="Thornton", la=world.south)
        for _ in range(11):
            _refused(world.alice, child, reason)
        assert Alert.objects.get().kind == AlertKind.REFUSED_LOOKUPS
        assert 'data-kind="refused_lookups"' in _queue(world)


def test_an_la_team_member_refused_their_own_las_archived_records_raises_no_alert(world):
    with time_machine.travel(MORNING, tick=False):
        children = [make_child(world, family_name="Thornton") for _ in range(11)]
        Child.objects.filter(pk__in=[c.pk for c in children]).update(status=RecordStatus.ARCHIVED)
        for child in children:
            child.refresh_from_db()
            assert child.local_authority_id == world.lena.home_la_id
            _refused(world.lena, child, "archived")
    assert not Alert.objects.exists()


def test_an_la_team_member_refused_another_las_archived_records_alerts(world):
    with time_machine.travel(MORNING, tick=False):
        children = [make_child(world, family_name="Thornton", la=world.south) for _ in range(11)]
        Child.objects.filter(pk__in=[c.pk for c in children]).update(status=RecordStatus.ARCHIVED)
        for child in children:
            child.refresh_from_db()
            _refused(world.lena, child, "archived")
    assert Alert.objects.get().kind == AlertKind.REFUSED_LOOKUPS


def test_the_look_up_reasons_are_the_policys_and_none_is_about_the_person():
    assert set(REASON_MESSAGES) | {NO_SUCH_RECORD} >= LOOKUP_REFUSALS
    assert not LOOKUP_REFUSALS & REFUSALS_ABOUT_THE_PERSON
    assert not LOOKUP_REFUSALS & {reason for reason, _action in WORKFLOW_REFUSALS}
    assert {
        "no_such_record",
        "not_found_by_search",
        "archived",
        "closed",
        "shielded",
        "other_la",
    } <= LOOKUP_REFUSALS
