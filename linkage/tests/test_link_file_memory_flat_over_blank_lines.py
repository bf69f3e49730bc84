"""`link_file` holds no blank line once read: a run of them (CRLF doubled, padding, a hostile file) costs
no memory however long it is (linkage.filelink, bounded memory)."""

import io
import tracemalloc

from linkage.filelink import COLUMNS, file_rows, link_file
from linkage.tests.link_files import link_csv

ROW = ("r1", "A", "Ann", "Smith", "2015-01-01", "f", "", "", "SW1A 1AA")


def _file(tmp_path, blank_lines: int):
    path = tmp_path / f"blank-{blank_lines}.csv"
    header, row = link_csv([ROW]).splitlines(keepends=True)
    path.write_text(header + row + "\n" * blank_lines + row)
    return path


def _peak(path) -> int:
    tracemalloc.start()
    try:
        with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
            report = link_file(handle, io.StringIO())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.records == 2
    return peak


def test_link_file_memory_does_not_grow_with_blank_lines(tmp_path):
    few, many = _peak(_file(tmp_path, 1_000)), _peak(_file(tmp_path, 200_000))
    # Held, 200,000 blank lines were some 18 MiB.
    assert many < few + 4 * 2**20, f"{(many - few) / 2**20:.1f} MiB more for 199,000 more blank lines"


def test_rows_after_blank_lines_keep_their_numbers(tmp_path):
    with open(_file(tmp_path, 5), encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        numbers = [number for number, _ in file_rows(handle)]
    assert numbers == [1, 7]


def test_a_quote_left_open_over_blank_lines_still_gives_the_lines_back(tmp_path):
    path = tmp_path / "open.csv"
    header = ",".join(COLUMNS) + "\n"
    broken = 'r0,A,"Ann,Smith,2015-01-01,f,,,SW1A 1AA\n'
    row = link_csv([ROW]).splitlines(keepends=True)[1]
    path.write_text(header + "\n\n" + broken + "\n\n" + row + '"\n' + row)
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        rows = list(file_rows(handle))
    assert rows[0][0] == 3 and rows[0][1].reason == "a quote is not closed"
    assert [number for number, row in rows[1:] if isinstance(row, dict)] == [6, 8]
