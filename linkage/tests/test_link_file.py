"""`manage.py link_file`: one cluster per child across sources, streaming, rejected rows by number."""

import csv
import tracemalloc
from io import StringIO

from django.core.management import call_command

from linkage.filelink import COLUMNS, link_file

ROWS = [
    ("h1", "health", "Amelia", "Thornton", "2015-03-04", "F", "12 Quarry Lane", "Leeds", "LS1 4AB"),
    ("s1", "school", "Amelia", "Thorntn", "2015-03-04", "F", "12 Quarry Lane", "Leeds", "LS1 4AB"),
    ("b1", "benefit", "Millie", "Thornton", "2015-04-03", "F", "", "", "LS1 4AB"),
    ("h2", "health", "Noah", "Begum", "2012-11-30", "M", "1 Mill Street", "Bradford", "BD1 1AA"),
    ("s2", "school", "Noah", "Begum", "2012-11-30", "M", "1 Mill Street", "Bradford", "BD1 1AA"),
    ("x1", "health", "Bad", "Date", "2012-02-30", "M", "", "", ""),
]


def _csv(rows) -> str:
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def test_records_of_one_child_from_several_sources_share_a_cluster(db, tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(_csv(ROWS))
    printed = StringIO()
    call_command("link_file", str(source), "--out", str(out), "--no-progress", stdout=printed)
    clusters = {row["record_id"]: row["cluster_id"] for row in csv.DictReader(out.open())}
    assert clusters["h1"] == clusters["s1"] == clusters["b1"]
    assert clusters["h2"] == clusters["s2"] != clusters["h1"]
    assert clusters["x1"] not in ("", clusters["h1"], clusters["h2"])  # unlinkable: a cluster of its own
    assert "row 6: date_of_birth is not a real date" in printed.getvalue()
    assert "Date" not in printed.getvalue().replace("date_of_birth", "")


def test_memory_stays_flat_as_the_file_grows(db, tmp_path):
    given = [
        "Amelia",
        "Noah",
        "Isla",
        "Oscar",
        "Freya",
        "Arthur",
        "Ivy",
        "Leo",
        "Rosie",
        "Jack",
        "Maya",
        "Theo",
    ]

    def peak(copies: int) -> int:
        source, out = tmp_path / f"in{copies}.csv", tmp_path / f"out{copies}.csv"
        rows = [
            (
                f"r{i}",
                "health",
                given[i % 12],
                f"Family{i}",
                f"20{10 + i % 8}-0{1 + i % 9}-{10 + i % 18}",
                "F",
                "",
                "",
                "",
            )
            for i in range(copies)
        ]
        source.write_text(_csv(rows))
        with source.open() as handle, out.open("w") as written:
            tracemalloc.start()
            link_file(handle, written)
            _, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        return top

    small, large = peak(30), peak(200)
    assert large < small * 2, (small, large)  # records and keys live on disk, not in Python


def test_twins_sharing_everything_but_the_given_name_are_never_put_in_one_cluster(db):
    twins = [
        ("h1", "health", "Amelia", "Thornton", "2015-03-04", "F", "12 Quarry Lane", "Leeds", "LS1 4AB"),
        ("h2", "health", "Grace", "Thornton", "2015-03-04", "F", "12 Quarry Lane", "Leeds", "LS1 4AB"),
        ("s1", "school", "Amelia", "Thornton", "2015-03-04", "F", "12 Quarry Lane", "Leeds", "LS1 4AB"),
    ]
    out = StringIO()
    report = link_file(StringIO(_csv(twins)), out)
    out.seek(0)
    rows = {row["record_id"]: row for row in csv.DictReader(out)}
    assert rows["h2"]["cluster_id"] != rows["h1"]["cluster_id"] and rows["h2"]["decision"] == "review"
    assert rows["s1"]["cluster_id"] == rows["h1"]["cluster_id"]
    assert report.reviews == 1


def test_twins_of_the_other_sex_with_near_given_names_are_never_put_in_one_cluster(db):
    # Oliver and Olivia: the given names are "similar" to Jaro-Winkler, so only the sex tells them apart
    twins = [
        ("h1", "health", "Oliver", "Thornton", "2015-03-04", "M", "12 Quarry Lane", "Leeds", "LS1 4AB"),
        ("h2", "health", "Olivia", "Thornton", "2015-03-04", "F", "12 Quarry Lane", "Leeds", "LS1 4AB"),
        ("s1", "school", "Oliver", "Thornton", "2015-03-04", "M", "12 Quarry Lane", "Leeds", "LS1 4AB"),
    ]
    out = StringIO()
    report = link_file(StringIO(_csv(twins)), out)
    out.seek(0)
    rows = {row["record_id"]: row for row in csv.DictReader(out)}
    assert rows["h2"]["cluster_id"] != rows["h1"]["cluster_id"] and rows["h2"]["decision"] == "review"
    assert rows["s1"]["cluster_id"] == rows["h1"]["cluster_id"]
    assert report.reviews == 1


def test_twins_of_one_sex_whose_given_names_are_two_edits_apart_are_never_put_in_one_cluster(db):
    twins = [
        ("h1", "health", "Amelia", "Nash", "2020-03-16", "F", "3 Mill Road", "Bristol", "BS15 4DY"),
        ("h2", "health", "Amira", "Nash", "2020-03-16", "F", "3 Mill Road", "Bristol", "BS15 4DY"),
        ("s1", "school", "Amwlia", "Nash", "2020-03-16", "F", "3 Mill Road", "Bristol", "BS15 4DY"),
    ]
    out = StringIO()
    link_file(StringIO(_csv(twins)), out)
    out.seek(0)
    rows = {row["record_id"]: row for row in csv.DictReader(out)}
    assert rows["h2"]["cluster_id"] != rows["h1"]["cluster_id"] and rows["h2"]["decision"] == "review"
    assert rows["s1"]["cluster_id"] == rows["h1"]["cluster_id"]  # a one-letter slip is still linked


def _scored_with(monkeypatch, version: str) -> None:
    from functools import partial

    from matching.scoring import load_model, score

    monkeypatch.setattr("linkage.filelink.score", partial(score, model=load_model(version)))


def test_a_child_who_moved_away_is_linked_but_not_when_the_date_of_birth_is_out_too(db, monkeypatch):
    from linkage.filelink import identity_from_row
    from matching.scoring import load_model, score

    _scored_with(monkeypatch, "fs-v3")  # trained with moves to another district
    rows = [
        ("h1", "health", "Amelia", "Thornton", "2015-03-04", "F", "", "Leeds", "LS1 4AB"),
        ("s1", "school", "Amelia", "Thornton", "2015-03-04", "F", "", "Southampton", "SO14 2DF"),
        ("b1", "benefit", "Amelia", "Thornton", "2015-03-14", "F", "", "Southampton", "SO15 3GH"),
    ]
    misdated = dict(zip(COLUMNS, rows[2], strict=True))
    for other in rows[:2]:
        # Summed as independent fields, the pair passes the acceptance threshold: only the rule holds it.
        pair = score(
            identity_from_row(misdated),
            identity_from_row(dict(zip(COLUMNS, other, strict=True))),
            model=load_model("fs-v3"),
        )
        assert pair.verdict == "match" and pair.levels["postcode"] == "else" and pair.levels["dob"] != "exact"
    out = StringIO()
    report = link_file(StringIO(_csv(rows)), out)
    out.seek(0)
    clusters = {row["record_id"]: row for row in csv.DictReader(out)}
    assert clusters["s1"]["cluster_id"] == clusters["h1"]["cluster_id"]
    assert (
        clusters["b1"]["cluster_id"] != clusters["h1"]["cluster_id"]
        and clusters["b1"]["decision"] == "review"
    )
    assert report.reviews == 1


def test_every_record_gets_a_cluster_even_with_an_empty_name_or_date(db, tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        _csv(
            [
                ("a1", "health", "Amelia", "Thornton", "", "F", "", "", "LS1 4AB"),
                ("a2", "school", "Amelia", "", "2015-03-04", "F", "", "", "LS1 4AB"),
            ]
        )
    )
    call_command("link_file", str(source), "--out", str(out), "--no-progress", stdout=StringIO())
    written = {row["record_id"]: row for row in csv.DictReader(out.open())}
    assert written["a1"]["cluster_id"] and written["a2"]["cluster_id"]
    assert written["a1"]["cluster_id"] != written["a2"]["cluster_id"]
    assert written["a1"]["decision"] == written["a2"]["decision"] == "rejected"


def test_records_in_another_script_are_linked_like_any_others(db, tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        _csv(
            [
                ("a3", "health", "Анна", "Иванова", "2015-03-04", "F", "", "", ""),
                ("a4", "school", "Анна", "Иванова", "2015-03-04", "F", "", "", ""),
            ]
        )
    )
    call_command("link_file", str(source), "--out", str(out), "--no-progress", stdout=StringIO())
    clusters = {row["record_id"]: row["cluster_id"] for row in csv.DictReader(out.open())}
    assert clusters["a3"] == clusters["a4"]


def test_a_file_with_a_byte_order_mark_or_a_row_that_is_not_utf8_is_read(db, tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    text = _csv([ROWS[0], ("z1", "health", "Zoë", "Quayle", "2014-01-09", "F", "", "", "")])
    source.write_bytes(b"\xef\xbb\xbf" + text.encode("latin-1"))
    printed = StringIO()
    call_command("link_file", str(source), "--out", str(out), "--no-progress", stdout=printed)
    written = {row["record_id"]: row for row in csv.DictReader(out.open())}
    assert written["h1"]["decision"] == "new" and written["z1"]["decision"] == "rejected"
    assert "row 2: not valid UTF-8 text" in printed.getvalue()
