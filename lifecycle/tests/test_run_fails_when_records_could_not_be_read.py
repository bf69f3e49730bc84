"""A nightly run that could not read records exits non-zero and names them by id on stderr.

`unreadable` is for a person, yet unlike `failed` it left the command's exit at 0 with nothing on
stderr: with a KEK version unavailable to the key provider (a key file restored without it, a version
retired early) every key wrapped under it fails to open (not shredded, so no removal), every record is
`unreadable`, nothing at all is archived, and cron recorded success. Now the command names each by id
(never anything about who) and exits non-zero, as it does for `failed`. Synthetic data only.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

import lifecycle.management.commands.lifecycle_run as command
from children.models import RecordStatus
from lifecycle.tests.support import status_of
from tests.personas import make_child
from vault.models import DataKey


@pytest.fixture
def unreadable(world, clock):
    """Three records whose keys were wrapped under a KEK version the provider does not have."""
    made = [make_child(world, given_names=f"Kid{i}", family_name="Vale") for i in range(3)]
    DataKey.objects.filter(pk__in=[child.data_key_id for child in made]).update(kek_version=999)
    return made


def _run(*args: str) -> tuple[str, str, CommandError]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("lifecycle_run", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), raised.value


@pytest.mark.parametrize("args", [(), ("--dry-run",)])
def test_records_that_could_not_be_read_make_the_command_fail_naming_each_by_id(unreadable, args):
    out, err, error = _run(*args)
    assert "unreadable: 3" in out
    assert sorted(err.splitlines()) == sorted(f"record {child.pk}: unreadable" for child in unreadable)
    assert "3 record(s) could not be read" in str(error)
    for child in unreadable:
        assert str(child.pk) not in out  # stdout stays counts only
        assert status_of(child) == RecordStatus.ACTIVE  # never archived on a guess
    for name in ("Kid0", "Vale", "Thornton"):
        assert name not in out + err + str(error)


def test_the_ids_listed_are_capped_as_failures_are(unreadable, monkeypatch):
    monkeypatch.setattr(command, "FAILURES_LISTED", 1)
    _, err, _ = _run()
    lines = err.splitlines()
    assert len(lines) == 2 and lines[0].startswith("record ") and lines[0].endswith(": unreadable")
    assert lines[1] == "... and 2 more unreadable records not listed"


def test_a_failure_and_an_unreadable_record_are_both_said(unreadable, monkeypatch):
    import lifecycle.services

    real = lifecycle.services._due_rule
    # One of the three fails in the scan (counted `failed`) instead: both are said, neither hides the other.

    def failing(child, today):
        if child.pk == unreadable[0].pk:
            raise RuntimeError("synthetic")
        return real(child, today)

    monkeypatch.setattr(lifecycle.services, "_due_rule", failing)
    _, err, error = _run()
    assert f"archive scan failed for child {unreadable[0].pk}: RuntimeError" in err.splitlines()
    assert "1 child(ren) failed" in str(error) and "2 record(s) could not be read" in str(error)


def test_the_report_keeps_the_first_ids_only_and_counts_them_all(unreadable, monkeypatch):
    """A KEK version missing makes every record in the country unreadable: their ids would fill memory."""
    import lifecycle.services

    monkeypatch.setattr(lifecycle.services, "IDS_KEPT", 1)
    _, err, error = _run()
    lines = err.splitlines()
    assert lines[1:] == ["... and 2 more unreadable records not listed"]
    assert "3 record(s) could not be read" in str(error)
