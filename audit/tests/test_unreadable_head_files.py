"""An exported head file that is empty, cut short or not a head at all is a finding in words, never a traceback.

A power cut between a head's write and the disk's flush left an empty (or half-written) `head-*.json`:
`audit_checkpoint` then stopped on a JSON error every run (the watcher with it) and `verify_audit` failed
with a traceback instead of its findings. Now the export is durable (written to a temporary file, synced,
renamed, the directory synced), and both commands name an unreadable file and what is wrong with it:
`verify_audit` as a finding (exit non-zero) beside its check of every readable head; the checkpoint
refuses to build on it (a head it cannot read is no anchor), saying which file and what to do.
"""

import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.checkpoints import HeadFileUnreadable, HeadTrustError, checkpoint_create, head_file_read
from audit.models import AuditHead
from audit.services import event_record
from audit.signing import signing_key
from audit.tags import AuditTag
from audit.verification import heads_load, log_verify

pytestmark = pytest.mark.django_db


def _events(count: int) -> None:
    for n in range(count):
        event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": n})


def _two_heads() -> tuple[Path, Path]:
    _events(3)
    first = checkpoint_create().exported_to
    _events(2)
    second = checkpoint_create().exported_to
    assert first is not None and second is not None
    return first, second


def _cut_short(path: Path) -> bytes:
    whole = path.read_bytes()
    return whole[: len(whole) // 2]


DAMAGE = {
    "empty": lambda path: b"",
    "truncated": _cut_short,
    "garbage": lambda path: bytes(range(256)) * 4,
    "not_a_head": lambda path: json.dumps({"statement": {"log": "contactpoint-audit/1"}}).encode(),
    "bad_hex": lambda path: path.read_bytes().replace(b'"signature": "', b'"signature": "zz'),
}


def line_of(damage: str) -> str:
    return next(said for said in WHOLE_LINES if said.startswith(SAID[damage]))


WHOLE_LINES = [
    "is empty (cut short as it was written: a power cut or a full disk?)",
    "is not complete JSON (cut short as it was written, or damaged)",
    "does not hold a signed head (fields missing or of the wrong kind)",
]
SAID = {
    "empty": "is empty",
    "truncated": "is not complete",
    "garbage": "is not complete",
    "not_a_head": "does not hold a signed head",
    "bad_hex": "does not hold a signed head",
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_verify_audit_names_a_damaged_head_file_as_a_finding(signed_log, capsys, damage):
    _, second = _two_heads()
    second.write_bytes(DAMAGE[damage](second))

    with pytest.raises(CommandError, match="audit log verification failed"):
        call_command("verify_audit")

    out = capsys.readouterr().out
    # The readable head is still checked in full: nothing else is wrong with the log (`id_gap` is context
    # listed with any failure; on PostgreSQL the sequence has moved on in earlier, rolled back tests).
    failed = [line for line in out.splitlines() if line.startswith("FAIL") and "id_gap" not in line]
    assert failed == [f"FAIL unreadable_head: head file {second.name} {line_of(damage)}"]


def test_verify_audit_names_a_damaged_head_file_given_by_name(signed_log, capsys):
    first, _ = _two_heads()
    first.write_bytes(b"")
    missing = signed_log / "heads" / "head-missing.json"

    with pytest.raises(CommandError, match="audit log verification failed"):
        call_command("verify_audit", head=[str(first), str(missing)])

    out = capsys.readouterr().out
    assert f"FAIL unreadable_head: head file {first.name} is empty" in out
    assert f"FAIL unreadable_head: head file {missing.name} cannot be read (FileNotFoundError)" in out


def test_verify_audit_with_only_a_damaged_head_still_reports_in_words(signed_log, capsys):
    _events(3)
    only = checkpoint_create().exported_to
    only.write_bytes(b"{")

    with pytest.raises(CommandError, match="audit log verification failed"):
        call_command("verify_audit")

    out = capsys.readouterr().out
    assert f"FAIL unreadable_head: head file {only.name} is not complete" in out
    assert "FAIL heads_stale" in out


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_the_checkpoint_refuses_to_build_on_a_damaged_newest_head_and_names_it(signed_log, settings, damage):
    settings.AUDIT_CHECKPOINT_EVERY_EVENTS = 1  # the watcher's round is due
    _, second = _two_heads()
    second.write_bytes(DAMAGE[damage](second))
    _events(2)
    heads_before = AuditHead.objects.count()

    with pytest.raises(HeadTrustError, match=f"{second.name} {SAID[damage]}"):
        checkpoint_create()
    with pytest.raises(CommandError, match=f"{second.name} {SAID[damage]}"):
        call_command("audit_checkpoint")
    with pytest.raises(CommandError, match=f"{second.name} {SAID[damage]}"):
        call_command("audit_checkpoint", watch=True, rounds=1, interval=0)

    assert AuditHead.objects.count() == heads_before


def test_moving_the_damaged_head_aside_lets_the_checkpoint_export_it_again(signed_log, tmp_path):
    """What the refusal tells the operator to do: keep the damaged file elsewhere and run again."""
    _, second = _two_heads()
    second.write_bytes(b"")
    second.replace(tmp_path / second.name)

    checkpoint_create()

    assert [h.size for h in heads_load(signed_log / "heads")] == [3, 5]
    report = log_verify(heads=heads_load(signed_log / "heads"), public_key=signing_key().public_key())
    assert report.ok, report.findings


def test_a_head_file_is_synced_before_it_is_named_and_its_directory_after(signed_log, monkeypatch):
    """The durable export: what a power cut can leave is the previous state or the whole new file."""
    _events(3)
    done: list[tuple[str, int]] = []
    real_fsync, real_replace = os.fsync, Path.replace

    def fsync(fd: int) -> None:
        done.append(("fsync", os.fstat(fd).st_ino))
        real_fsync(fd)

    def replace(self: Path, target: Path) -> Path:
        done.append(("rename", self.stat().st_ino))
        return real_replace(self, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(Path, "replace", replace)
    exported = checkpoint_create().exported_to

    file_inode = exported.stat().st_ino
    directory_inode = exported.parent.stat().st_ino
    assert done == [("fsync", file_inode), ("rename", file_inode), ("fsync", directory_inode)]
    assert head_file_read(exported)["statement"]["size"] == 3


def test_an_export_that_fails_leaves_no_temporary_file_and_the_next_run_exports_the_head(
    signed_log, monkeypatch
):
    _events(3)
    checkpoint_create()
    _events(2)

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(os, "fsync", full_disk)
        with pytest.raises(OSError, match="No space left"):
            checkpoint_create()

    directory = Path(signed_log / "heads")
    assert [p.name for p in directory.iterdir()] == [p.name for p in directory.glob("head-*.json")]
    assert [h.size for h in heads_load(directory)] == [3]
    checkpoint_create()
    assert [h.size for h in heads_load(directory)] == [3, 5]


def test_reading_a_head_file_that_is_not_a_head_of_this_log_says_so(tmp_path):
    path = tmp_path / "head-00000000000001-00000001.json"
    path.write_text(json.dumps({"statement": {"log": "someone-else/1", "size": 1}}))
    with pytest.raises(HeadFileUnreadable, match="is not a head of this log"):
        head_file_read(path)


def _document(path: Path, **changes: object) -> bytes:
    document = json.loads(path.read_text())
    for where, value in changes.items():
        *parents, name = where.split("__")
        target = document
        for parent in parents:
            target = target[parent]
        target[name] = value
    return json.dumps(document).encode()


SHAPES = {
    "a list": lambda path: b"[]",
    "no statement": lambda path: b'{"key_id": "k"}',
    "a statement that is text": lambda path: b'{"statement": "size 3"}',
    "size as text": lambda path: _document(path, statement__size="3"),
    "size true": lambda path: _document(path, statement__size=True),
    "negative last id": lambda path: _document(path, statement__last_event_id=-1),
    "root a number": lambda path: _document(path, statement__root=7),
    "no time": lambda path: _document(path, statement__issued_at=None),
    "key id a number": lambda path: _document(path, key_id=7),
    "consistency a list": lambda path: _document(path, consistency=["ab"]),
    "proof not a list": lambda path: _document(path, consistency__proof="ab"),
    "proof not hex": lambda path: _document(path, consistency__proof=["zz"]),
    "from root missing": lambda path: _document(path, consistency__from_root=None),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_head_file_of_the_wrong_shape_is_named_not_read(signed_log, shape):
    _, second = _two_heads()
    second.write_bytes(SHAPES[shape](second))
    with pytest.raises(HeadFileUnreadable, match=f"head file {second.name} does not hold a signed head"):
        head_file_read(second)


def test_a_head_without_a_consistency_proof_is_read(signed_log):
    first, _ = _two_heads()
    assert head_file_read(first)["consistency"] == {}
    first.write_bytes(_document(first, consistency=None))
    assert head_file_read(first)["consistency"] is None
