"""`link_file` and `national_relink` on the operator's disk: what a run leaves behind, and where it writes.

The working store of `link_file` holds every child's names, date of birth and postcode in clear, so a run
killed part-way (SIGTERM from a shell timeout or a closed terminal, SIGKILL, the OOM killer) must leave no
copy of it in the temporary directory. The output is written beside its destination and renamed into
place only when complete: a failed or interrupted run never truncates an earlier output or leaves a
partial one that looks complete, and an output naming the input file is refused before anything is read.
"""

import csv
import os
import signal
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from linkage.tests.link_files import link_csv, syllables

MARKER = "Quixotebrook"  # a synthetic family name to look for in whatever a run leaves on disk


def _rows(count: int):
    return [
        (
            f"r{i}",
            "health",
            "Amelia",
            f"{MARKER}{syllables(i)}",
            f"2015-0{1 + i % 9}-1{i % 9}",
            "F",
            "",
            "",
            "LS1 4AB",
        )
        for i in range(count)
    ]


# A run paused part-way through its file (the store holds records), as a kill would find it.
PAUSED_RUN = """
import sys, time, django
django.setup()
from linkage.filelink import link_file
seen = 0
def progress():
    global seen
    seen += 1
    if seen == 300:
        print("ready", flush=True)
        time.sleep(120)
with open(sys.argv[1], newline="") as source, open(sys.argv[2], "w", newline="") as out:
    link_file(source, out, progress=progress)
"""


def test_a_link_file_run_killed_part_way_leaves_no_copy_of_the_records_in_the_temporary_directory(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    source = tmp_path / "in.csv"
    source.write_text(link_csv(_rows(400)))
    env = {**os.environ, "TMPDIR": str(scratch), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    process = subprocess.Popen(  # noqa: S603 - our own code, fixed arguments
        [sys.executable, "-c", PAUSED_RUN, str(source), str(tmp_path / "out.csv")],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        while_running = sorted(str(p.relative_to(scratch)) for p in scratch.rglob("*") if p.is_file())
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    left = [p for p in scratch.rglob("*") if p.is_file()]
    assert while_running == []  # nothing a kill could leave: the store has no name on disk
    assert left == []
    assert not any(MARKER.encode() in p.read_bytes() for p in left)


def test_an_output_naming_the_input_file_is_refused_and_the_input_kept(db, tmp_path):
    source = tmp_path / "in.csv"
    text = link_csv(_rows(3)).encode()
    source.write_bytes(text)
    alias = tmp_path / "alias.csv"
    alias.symlink_to(source)
    for command in ("link_file", "national_relink"):
        for out in (source, alias):
            extra = ["--no-progress"] if command == "link_file" else []
            with pytest.raises(CommandError, match="the output file is the input file"):
                call_command(
                    command, str(source), "--out", str(out), *extra, stdout=StringIO(), stderr=StringIO()
                )
            assert source.read_bytes() == text


def test_a_failed_run_leaves_an_earlier_output_as_it_was_and_no_partial_file(db, tmp_path):
    out = tmp_path / "clusters.csv"
    out.write_text("record_id,source,cluster_id,decision\nr1,health,C1,new\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(link_csv(_rows(2)).replace("postcode", "postcode,source", 1))  # a column named twice
    with pytest.raises(CommandError, match="the header names a column twice"):
        call_command("link_file", str(bad), "--out", str(out), "--no-progress", stdout=StringIO())
    assert out.read_text() == "record_id,source,cluster_id,decision\nr1,health,C1,new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "clusters.csv"]


def test_an_interrupted_run_leaves_no_output_that_looks_complete(db, tmp_path, monkeypatch):
    import linkage.management.commands.link_file as command

    source, out = tmp_path / "in.csv", tmp_path / "clusters.csv"
    source.write_text(link_csv(_rows(50)))
    real = command.link_file

    def interrupted(handle, written, **kwargs):
        def progress(seen=[0]):  # noqa: B006 - a counter for this one run
            seen[0] += 1
            if seen[0] == 20:
                raise KeyboardInterrupt

        return real(handle, written, **{**kwargs, "progress": progress})

    monkeypatch.setattr(command, "link_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        call_command("link_file", str(source), "--out", str(out), "--no-progress", stdout=StringIO())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_the_output_is_written_in_full_and_readable_by_its_owner_only(db, tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "clusters.csv"
    source.write_text(link_csv(_rows(5)))
    call_command("link_file", str(source), "--out", str(out), "--no-progress", stdout=StringIO())
    written = list(csv.DictReader(out.open()))
    assert [row["record_id"] for row in written] == ["r0", "r1", "r2", "r3", "r4"]
    assert out.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clusters.csv", "in.csv"]


def test_an_output_that_is_a_directory_or_in_no_directory_is_a_clear_error(db, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(link_csv(_rows(2)))
    for command in ("link_file", "national_relink"):
        with pytest.raises(CommandError, match="--out must name a file in an existing directory"):
            call_command(command, str(source), "--out", str(tmp_path), stdout=StringIO(), stderr=StringIO())
        with pytest.raises(CommandError, match="--out must name a file in an existing directory"):
            call_command(
                command,
                str(source),
                "--out",
                str(tmp_path / "no" / "o.csv"),
                stdout=StringIO(),
                stderr=StringIO(),
            )


def test_a_symlink_at_the_output_path_is_replaced_not_written_through(db, tmp_path):
    source, elsewhere, out = tmp_path / "in.csv", tmp_path / "elsewhere.txt", tmp_path / "clusters.csv"
    source.write_text(link_csv(_rows(2)))
    elsewhere.write_text("someone else's file\n")
    out.symlink_to(elsewhere)
    call_command("link_file", str(source), "--out", str(out), "--no-progress", stdout=StringIO())
    assert elsewhere.read_text() == "someone else's file\n"
    assert not out.is_symlink() and out.read_text().startswith("record_id,source,cluster_id,decision")


def test_a_link_file_run_stopped_with_sigterm_or_sighup_removes_its_partial_output_and_fails(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(link_csv(_rows(30_000)))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    for stop in (signal.SIGTERM, signal.SIGHUP):
        out = tmp_path / f"clusters-{stop.name}.csv"
        process = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, "manage.py", "link_file", str(source), "--out", str(out), "--no-progress"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while not any(p.stat().st_size > 1000 for p in tmp_path.glob(".*.part")):
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.05)
            process.send_signal(stop)
            code = process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        assert code == 128 + stop  # a failure the caller can see
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_memory_stays_flat_with_a_line_of_64_million_characters(db, tmp_path, ending):
    """A line is read a bounded piece at a time: one longer than any row can be is refused by number
    without being held whole, and the rows after it keep their numbers."""
    import tracemalloc

    from linkage.filelink import link_file

    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    header, good, later = link_csv(_rows(2)).splitlines()
    with source.open("w", newline="") as handle:
        handle.write(header + ending + good + ending)
        handle.write("h0,health,Amelia,Thornton,2015-03-04,F," + "x" * 64_000_000 + ending)
        handle.write(later + ending)
        handle.write("h9,health,Noah,Begum,2012-11-30,M," + "y" * 64_000_000)  # no line end at all
    rejected: list[tuple[int, str]] = []
    with (
        source.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle,
        out.open("w", newline="") as written,
    ):
        tracemalloc.start()
        report = link_file(
            handle, written, on_rejected=lambda number, reason: rejected.append((number, reason))
        )
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert top < 48_000_000, top  # the line alone is 64 MB as a str: it was never held whole (was 130 MB)
    assert rejected == [
        (2, "a cell is longer than any field allows"),
        (4, "a cell is longer than any field allows"),
    ]
    rows = list(csv.DictReader(out.open(newline="")))
    assert [(row["record_id"], row["decision"] == "rejected") for row in rows] == [
        ("r0", False),
        ("", True),
        ("r1", False),
        ("", True),
    ]
    assert report.records == 4
