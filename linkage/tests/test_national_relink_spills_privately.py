"""`manage.py national_relink` never lets DuckDB spill a file's records where others can read them.

DuckDB offloads to disk what does not fit its memory limit, by default into `.tmp` under the current
directory: a directory made 0755 and files 0644, holding the records' names, dates of birth and
postcodes in clear, and left behind when the process is killed. `link_file` was fixed for the same
reason (its scratch store named in a temporary directory). The command now gives DuckDB a directory of
its own, readable by its owner only (0700), and removes it when the run ends, however it ends.
"""

import os
import stat
from pathlib import Path

import pytest

from linkage.tests.link_files import link_csv
from linkage.tests.test_national_relink import _relink

pytest.importorskip("splink")

ROWS = [
    ("1", "health", "Amelia", "Thornton", "2015-03-04", "F", "", "", "LS1 4AB"),
    ("2", "school", "Amelia", "Thornton", "2015-03-04", "F", "", "", "LS1 4AB"),
]


def _spill_directory_seen(monkeypatch) -> list[tuple[str, int]]:
    """Each DuckDB connection Splink is given: its spill directory and that directory's mode."""
    import linkage.national

    seen: list[tuple[str, int]] = []
    relink = linkage.national.national_relink

    def watched(records, *, db_api=None, **kwargs):
        connection = getattr(db_api, "_con", None) or getattr(db_api, "con", None)
        assert connection is not None, "the command gave Splink no connection of its own"
        ((directory,),) = connection.execute("SELECT current_setting('temp_directory')").fetchall()
        seen.append((directory, stat.S_IMODE(os.stat(directory).st_mode)))
        return relink(records, db_api=db_api, **kwargs)

    monkeypatch.setattr("linkage.management.commands.national_relink.national_relink", watched)
    return seen


def test_duckdb_spills_only_into_a_private_directory_removed_after_the_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    seen = _spill_directory_seen(monkeypatch)
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(link_csv(ROWS))
    printed, _ = _relink(source, out)
    assert "2 records in 1 clusters" in printed
    ((directory, mode),) = seen
    assert Path(directory).is_absolute() and mode == 0o700
    assert not Path(directory).exists()  # removed with the run
    assert not (tmp_path / ".tmp").exists()  # DuckDB's default, under the current directory
