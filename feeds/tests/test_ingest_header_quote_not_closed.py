"""A CSV header whose quote is not closed refuses the file before anything is written, instead of
swallowing data rows into the header unreported.

Before, the header was read as one record over as many lines as the open quote ran: with no other quote
in the file every row vanished into the header and the batch was "completed" with nothing created and
nothing rejected; with a quote further on, the rows up to it vanished unnumbered and the rest were
rejected against a header of garbled names (a child's values among them).
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from children.models import Child
from feeds.models import FeedBatch
from feeds.tests.factories import feed_row, health_source, second_feed_row


def _rows() -> list[dict[str, str]]:
    return [
        feed_row(),
        second_feed_row(),
    ]


def _header_with_an_open_quote(row: dict[str, str]) -> str:
    names = list(row)
    return ",".join([names[0], '"' + names[1], *names[2:]])


@pytest.mark.parametrize("later_quote", [False, True], ids=["no-other-quote", "a-quoted-cell-later"])
def test_a_header_whose_quote_is_not_closed_refuses_the_file_and_writes_nothing(world, tmp_path, later_quote):
    health_source(world)
    rows = _rows()
    if later_quote:
        rows[1]["address_line"] = '"9 Oak Road"'
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "\n".join([_header_with_an_open_quote(rows[0]), *(",".join(row.values()) for row in rows)]) + "\n"
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("ingest", "health", str(feed), "--no-progress", stdout=out, stderr=err)
    said = str(refused.value) + out.getvalue() + err.getvalue()
    assert "header row" in said and "quote" in said and "nothing was ingested" in said
    assert "Pemberton" not in said and "Marlow" not in said
    assert not FeedBatch.objects.exists()
    assert Child.objects.count() == 0


def test_a_quoted_header_that_closes_its_quotes_is_read(world, tmp_path):
    health_source(world)
    rows = _rows()
    feed = tmp_path / "feed.csv"
    header = ",".join(f'"{name}"' for name in rows[0])
    feed.write_text("\n".join([header, *(",".join(row.values()) for row in rows)]) + "\n")
    out = StringIO()
    call_command("ingest", "health", str(feed), "--no-progress", stdout=out, stderr=StringIO())
    assert "created: 2" in out.getvalue()
