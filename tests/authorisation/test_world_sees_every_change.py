"""The matrix's `state()` (one statement per read) notices a change in every part it compares: a refused
request that changed something must never pass as "changed nothing"."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Organisation, User
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Carer, Child, Involvement
from oversight.models import Alert
from tests.authorisation.world import state

PARTS = {
    "users", "devices", "children", "carers", "involvements", "alerts", "organisations", "exports",
    "corrections", "complaints", "events",
}  # fmt: skip


def _changed(before: dict, after: dict) -> set[str]:
    return {part for part in before if before[part] != after[part]}


def test_every_part_is_read_and_unchanged_when_nothing_changes(matrix):
    assert set(state()) == PARTS
    assert set(state(full=False)) == {"events"}
    assert _changed(state(), state()) == set()


def test_a_change_to_any_compared_column_is_seen_in_its_part_alone(matrix):
    alice = matrix.users["alice"]
    changes = {
        "users": lambda: User.objects.filter(pk=alice.pk).update(suspended_at=timezone.now()),
        "children": lambda: Child.objects.filter(pk=matrix.children["north"].pk).update(shielded=True),
        "involvements": lambda: Involvement.objects.filter(pk=matrix.involvements["north"].pk).update(
            ceased=True
        ),
        "alerts": lambda: Alert.objects.filter(pk=next(iter(matrix.alerts.values())).pk).update(
            acknowledged_at=timezone.now()
        ),
        "organisations": lambda: Organisation.objects.filter(pk=alice.organisation_id).update(name="Renamed"),
        "carers": lambda: Carer.objects.filter(pk=Carer.objects.values("pk")[:1]).delete(),
        "events": lambda: event_record(
            tag=AuditTag.SearchPerformed, actor=alice, additional={"result_ids": []}
        ),
    }
    for part, change in changes.items():
        before = state()
        change()
        assert _changed(before, state()) == {part}, part


def test_a_renewed_background_check_is_seen_without_its_event(matrix):
    """The account pages now write the date of a person's background check (`background_check_record`):
    a refused request that wrote it, with no event, must not pass as "changed nothing"."""
    alice = User.objects.get(pk=matrix.users["alice"].pk)
    renewed = timezone.localdate() - timedelta(days=1)
    assert alice.background_check_on != renewed
    before = state()
    User.objects.filter(pk=alice.pk).update(background_check_on=renewed)
    assert _changed(before, state()) == {"users"}


def test_an_event_is_seen_without_the_rows(matrix):
    before = state(full=False)
    event_record(tag=AuditTag.SearchPerformed, actor=matrix.users["alice"], additional={"result_ids": []})
    assert _changed(before, state(full=False)) == {"events"}


def test_refusals_and_sign_outs_are_not_changes(matrix):
    before = state()
    event_record(tag=AuditTag.AccessDenied, actor=matrix.users["alice"], additional={"reason": "test"})
    assert _changed(before, state()) == set()
