"""The daily run carries on past a child whose archive or purge fails.

It stopped at the first child whose step raised: one record failing every night (a corrupt row, a key
the provider will not shred) blocked every archive and purge after it in the country, night after night,
and records were kept past their retention. Now each child's step runs in its own savepoint: a failure
rolls back that child alone (nothing half-written), is counted, and is named on stderr by the child's id
only; every other child is processed, and the command exits non-zero so the operator looks.
"""

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

import lifecycle.services
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from lifecycle.identity import NewIdentityCategory, new_identity_create
from lifecycle.models import Archive
from lifecycle.services import lifecycle_run
from lifecycle.tests.support import events, move_to
from tests.personas import make_child

RUN_DAY = date(2039, 3, 4)
NAMES = ("Harriet", "Hugo", "Ben", "Osei", "Bella", "Lind", "Carla", "Clive", "Thornton")


class StepBroke(RuntimeError):
    """A synthetic persistent failure of one child's step."""


@pytest.fixture
def due(world, clock):
    """On RUN_DAY: two archives due for purge, two records closed six years ago, two records turning 18."""
    move_to(clock, date(2033, 3, 4))
    purges = [
        make_child(world, given_names=name, family_name="Pike", date_of_birth=date(2015, 3, 4))
        for name in ("Harriet", "Hugo")
    ]
    lifecycle_run()
    old = [make_child(world, given_names=name, family_name="Vale") for name in ("Carla", "Clive")]
    for child in old:
        new_identity_create(
            old=child,
            by=world.lena,
            category=NewIdentityCategory.ADOPTION,
            details=_new_details(child),
            shielded=False,
        )
    move_to(clock, RUN_DAY)
    archives = [
        make_child(world, given_names=name, family_name="Osei", date_of_birth=date(2021, 3, 4))
        for name in ("Ben", "Bella")
    ]
    return {"archive": archives, "purge": purges, "closed_purge": old}


def _new_details(child: Child) -> Any:
    from children.selectors import child_details

    details = child_details(child)
    details.given_names, details.family_name = "Nova", "Lind"
    details.date_of_birth = date(2030, 1, 1)
    return details


STEPS = {"archive": "child_archive_if_due", "purge": "child_purge", "closed_purge": "closed_record_purge"}


def _failing_for(monkeypatch, step: str, chosen: Child) -> None:
    real = getattr(lifecycle.services, STEPS[step])

    def step_or_fail(*, child_id, **kwargs):
        if child_id == chosen.pk:
            raise StepBroke("synthetic failure")
        return real(child_id=child_id, **kwargs)

    monkeypatch.setattr(lifecycle.services, STEPS[step], step_or_fail)


def _status(child: Child) -> str | None:
    return Child.objects.filter(pk=child.pk).values_list("status", flat=True).first()


@pytest.mark.parametrize("step", STEPS)
def test_a_child_whose_step_fails_is_reported_and_every_other_child_is_still_processed(
    due, monkeypatch, step
):
    failing, other = due[step]
    _failing_for(monkeypatch, step, failing)
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("lifecycle_run", stdout=out, stderr=err)

    assert refused.value.returncode != 0
    # The other child of the failing step, and every child of the other steps, were processed.
    for name, (first, second) in due.items():
        for child in (first, second):
            if child == failing:
                continue
            if name == "archive":
                assert _status(child) == RecordStatus.ARCHIVED
            else:
                assert _status(child) is None  # purged
    # The failing child is left as it was: still due, tried again tomorrow.
    expected = {"archive": RecordStatus.ACTIVE, "purge": RecordStatus.ARCHIVED}.get(step, RecordStatus.CLOSED)
    assert _status(failing) == expected
    # Reported by id on stderr, counted on stdout and in the run's audit event; no name anywhere.
    assert str(failing.pk) in err.getvalue()
    assert str(other.pk) not in err.getvalue()
    assert "failed: 1" in out.getvalue()
    assert str(failing.pk) not in out.getvalue()
    for text in (out.getvalue(), err.getvalue(), str(refused.value)):
        assert not any(name in text for name in NAMES)
    run = events(AuditTag.LifecycleRunCompleted)[-1]
    assert run.additional["failed"] == 1


def test_a_step_failing_after_it_wrote_leaves_nothing_of_that_child_half_written(due, monkeypatch):
    """The archive's status and Archive row are written before its audit event; the event failing for one
    child rolls back that child alone."""
    failing = due["archive"][0]
    real = lifecycle.services.event_record

    def record_or_fail(**kwargs):
        if kwargs.get("tag") == AuditTag.ChildArchived and kwargs.get("child_id") == failing.pk:
            raise StepBroke("synthetic failure after the writes")
        return real(**kwargs)

    monkeypatch.setattr(lifecycle.services, "event_record", record_or_fail)

    report = lifecycle_run()

    assert report.failed == 1 and report.archived == 1
    assert _status(failing) == RecordStatus.ACTIVE
    assert not Archive.objects.filter(child_id=failing.pk).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildArchived, child_id=failing.pk).exists()
    assert _status(due["archive"][1]) == RecordStatus.ARCHIVED
    assert all(_status(child) is None for child in [*due["purge"], *due["closed_purge"]])


def test_a_run_with_no_failure_exits_cleanly_and_says_none_failed(due):
    out, err = StringIO(), StringIO()
    call_command("lifecycle_run", stdout=out, stderr=err)
    assert "failed: 0" in out.getvalue()
    assert err.getvalue() == ""
