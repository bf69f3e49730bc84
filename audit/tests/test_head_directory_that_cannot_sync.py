"""A head directory on a file system that cannot sync a directory still takes heads, and says so.

The export syncs the directory after renaming a head into it (a power cut could otherwise undo the
rename). Some network and FUSE file systems refuse fsync on a directory (EINVAL, or "not supported"):
there every checkpoint failed after its head was signed, committed and in place, so the command exited
with an error every run though nothing was wrong with the log. Now that refusal is a warning naming what
it costs (a rename a power cut may undo, which the next checkpoint's missed-export path writes again);
any other failure of the sync (a disk error) still stops the run.
"""

import errno
import logging
import os
import stat

import pytest

from audit.checkpoints import checkpoint_create, head_file_read
from audit.services import event_record
from audit.tags import AuditTag

pytestmark = pytest.mark.django_db


def _events(count: int) -> None:
    for n in range(count):
        event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": n})


def _directory_fsync_fails(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(code, os.strerror(code))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.parametrize("code", [errno.EINVAL, errno.ENOTSUP])
def test_a_directory_that_cannot_be_synced_takes_the_head_with_a_warning(
    signed_log, monkeypatch, caplog, code
):
    _events(3)
    _directory_fsync_fails(monkeypatch, code)

    with caplog.at_level(logging.WARNING, logger="audit.checkpoints"):
        exported = checkpoint_create().exported_to

    assert exported is not None and head_file_read(exported)["statement"]["size"] == 3
    assert "cannot sync the head directory" in caplog.text
    assert "the next checkpoint exports it again" in caplog.text


def test_a_disk_error_syncing_the_directory_still_stops_the_run(signed_log, monkeypatch):
    _events(3)
    _directory_fsync_fails(monkeypatch, errno.EIO)

    with pytest.raises(OSError, match="Input/output error"):
        checkpoint_create()
