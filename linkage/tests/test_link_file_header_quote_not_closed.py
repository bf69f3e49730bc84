"""`link_file` refuses a file whose header's quote is not closed, instead of losing rows unreported.

With every column named before the open quote (an extra column, say), the CSV reader read such a header on across the data lines up to the next quote (every line, if there is
none), so the rows it swallowed became column names: linked as nothing, written as no cluster, reported
as no rejected row. (The feed ingest refuses such a file since this session too: `feeds.parsers`.)
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from linkage.filelink import COLUMNS

DATA = "h1,health,Amelia,Thornton,2015-03-04,F,12 Quarry Lane,Leeds,LS1 4AB\n"


def test_a_header_whose_quote_is_not_closed_refuses_the_file_and_writes_no_cluster(db, tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    # Every column named, then an extra one whose quote is not closed: the data lines became its name.
    source.write_text(",".join(COLUMNS) + ',"note\n' + DATA * 3)
    with pytest.raises(CommandError, match="a quote in it is not closed"):
        call_command("link_file", str(source), "--out", str(out), "--no-progress")
    assert not out.exists() or out.read_text().count("\n") <= 1


def test_a_header_with_its_quotes_closed_is_read(db, tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text('"record_id",' + ",".join(COLUMNS[1:]) + "\n" + DATA)
    call_command("link_file", str(source), "--out", str(out), "--no-progress")
    assert "h1," in out.read_text()
