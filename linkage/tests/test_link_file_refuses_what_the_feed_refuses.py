"""`link_file` refuses what a feed refuses, with the feed's reason, by row number, never the value.

An LA deduplicating its own file before its feed goes live must learn which rows the feed will refuse and
why. `link_file` read a date of birth with bare `date.fromisoformat`, which in Python 3.11 also takes an ISO
week date ("2015-W10-3"), eight digits without dashes ("20150304") and any year from 1 to 9999; and it took
any character in a name (a control character, a bidirectional override, a zero-width space, a digit), none
of which a feed accepts. Each such row is now rejected with the reason the feed gives (the feed's
`given_names` is the file's `given_name`), and the rows around it are still clustered.
"""

import csv
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from feeds.validation import RowInvalid, row_validate
from linkage.filelink import COLUMNS, link_file
from linkage.tests.link_files import link_csv

GOOD = ("h1", "health", "Amelia", "Thornton", "2015-03-04", "F", "12 Quarry Lane", "Leeds", "LS1 4AB")
SAME_CHILD = ("s1", "school", "Amelia", "Thornton", "2015-03-04", "F", "12 Quarry Lane", "Leeds", "LS1 4AB")
# A name no good row carries, so the output can be searched for it.
NAME = "Zephyrine"


def _today() -> date:
    return timezone.localdate()


def _bad_values() -> list:
    today = _today()
    return [
        ("date_of_birth", "2015-W10-3"),  # an ISO week date: 4 March 2015 to fromisoformat
        ("date_of_birth", "20150304"),  # eight digits, no dashes
        ("date_of_birth", "2015-3-4"),
        ("date_of_birth", "0001-01-01"),
        ("date_of_birth", "9999-12-31"),
        ("date_of_birth", (today + timedelta(days=40)).isoformat()),  # in the future
        ("date_of_birth", f"{today.year - 27}-06-15"),  # older than any child the index holds
        ("date_of_birth", "2015-03-04\x00"),
        ("date_of_birth", "\u0662\u0660\u0661\u0665-\u0660\u0663-\u0660\u0664"),  # Arabic-Indic digits
        ("date_of_birth", ""),
        ("given_name", f"{NAME}\x00"),
        ("given_name", f"\x1b[31m{NAME}"),
        ("given_name", f"\u202e{NAME}"),  # a right-to-left override: shows reversed
        ("given_name", f"{NAME}\u200b"),  # a zero-width space
        ("given_name", f"{NAME}1"),
        ("given_name", NAME + "a" * 100),  # longer than the feed's 100 characters
        ("given_name", " ".join([NAME] * 7)),  # more parts than a record may be filed under
        ("given_name", "---"),  # no letters
        ("family_name", f"{NAME}\x00"),
        ("family_name", f"\u202d{NAME}"),  # a left-to-right override
        ("family_name", f"{NAME}\x7f"),
        ("family_name", f"{NAME}<script>"),
        ("family_name", NAME + "a" * 100),
        ("family_name", "-".join([NAME] * 7)),
        ("family_name", f"{NAME}\ufeff"),  # a byte order mark inside the value
    ]


def _feed_reason(column: str, value: str) -> str:
    """What a feed says of a row carrying `value` in this column, in the file's column names."""
    field = {"given_name": "given_names"}.get(column, column)
    row = {
        "record_id": "r1",
        "local_authority": "LA1",
        "given_names": "Amelia",
        "family_name": "Thornton",
        "date_of_birth": "2015-03-04",
        field: value,
    }
    with pytest.raises(RowInvalid) as refused:
        row_validate(row, today=_today())
    return str(refused.value).replace("given_names", "given_name")


def _with(column: str, value: str) -> tuple[str, ...]:
    row = dict(zip(COLUMNS, GOOD, strict=True))
    return tuple({**row, "record_id": "x1", column: value}.values())


@pytest.mark.parametrize(("column", "value"), _bad_values())
def test_a_row_the_feed_refuses_is_rejected_by_number_with_the_feeds_reason_and_the_rest_clustered(
    db, tmp_path, column, value
):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(link_csv([GOOD, _with(column, value), SAME_CHILD]), encoding="utf-8")
    printed = StringIO()
    call_command("link_file", str(source), "--out", str(out), "--no-progress", stdout=printed)
    lines = printed.getvalue().splitlines()
    assert [line for line in lines if line.startswith("row ")] == [f"row 2: {_feed_reason(column, value)}"]
    assert lines[-1].endswith("rejected: 1")
    written = {row["record_id"]: row for row in csv.DictReader(out.open(encoding="utf-8"))}
    assert written["x1"]["decision"] == "rejected"
    assert written["x1"]["cluster_id"] not in ("", written["h1"]["cluster_id"])
    assert written["s1"]["cluster_id"] == written["h1"]["cluster_id"]
    assert written["s1"]["decision"] == "match"


@pytest.mark.parametrize(("column", "value"), _bad_values())
def test_a_reason_names_the_column_and_never_the_value(db, column, value):
    rejected: list[tuple[int, str]] = []
    report = link_file(
        StringIO(link_csv([GOOD, _with(column, value), SAME_CHILD])),
        StringIO(),
        on_rejected=lambda number, reason: rejected.append((number, reason)),
    )
    assert report.rejected_rows == rejected
    [(number, reason)] = rejected
    assert number == 2
    assert reason.startswith(f"{column} ")
    shown = reason.removeprefix(column)
    assert NAME not in shown
    assert value.strip() == "" or value.strip() not in shown
    assert not any(part and part in shown for part in value.split("-") if len(part) > 2)


def test_a_row_the_feed_accepts_is_linked_as_before(db):
    """The refusal is the feed's rule, no wider: spaces around a date, the oldest and newest dates the feed
    takes, and white space inside a name (a tab, a line separator: one space to the feed) still link."""
    today = _today()
    rows = [
        ("a1", "health", "Amelia", "Thornton", " 2015-03-04 ", "F", "", "", "LS1 4AB"),
        ("a2", "school", "Amelia", "Thornton", "2015-03-04", "F", "", "", "LS1 4AB"),
        ("b1", "health", "Noah", "Begum", f"{today.year - 26}-01-01", "M", "", "", "BD1 1AA"),
        ("b2", "school", "Noah", "Begum", f"{today.year - 26}-01-01", "M", "", "", "BD1 1AA"),
        ("c1", "health", "Isla", "Carter", today.isoformat(), "F", "", "", "BS1 4DJ"),
        ("c2", "school", "Isla", "Carter", today.isoformat(), "F", "", "", "BS1 4DJ"),
        ("d1", "health", "Ann\u2028Marie", "Lee\tSmith", "2016-05-06", "F", "", "", "BS1 4DJ"),
        ("d2", "school", "Ann Marie", "Lee Smith", "2016-05-06", "F", "", "", "BS1 4DJ"),
    ]
    for row in rows:
        row_validate(
            {
                "record_id": row[0],
                "local_authority": "LA1",
                "given_names": row[2],
                "family_name": row[3],
                "date_of_birth": row[4],
            },
            today=today,
        )  # the feed takes every one of them
    out = StringIO()
    report = link_file(StringIO(link_csv(rows)), out)
    out.seek(0)
    clusters = {row["record_id"]: row["cluster_id"] for row in csv.DictReader(out)}
    assert report.rejected == 0
    assert (
        clusters["a1"] == clusters["a2"]
        and clusters["b1"] == clusters["b2"]
        and clusters["c1"] == clusters["c2"]
        and clusters["d1"] == clusters["d2"]
    )
    assert len(set(clusters.values())) == 4
