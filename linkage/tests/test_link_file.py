"""`manage.py link_file`: one cluster per child across sources, streaming, rejected rows by number."""

import csv
import tracemalloc
from io import StringIO

from django.core.management import call_command

from linkage.filelink import COLUMNS, link_file
from linkage.tests.link_files import link_csv, syllables

ROWS = [
    ("h1", "health", "Amelia", "Thornton", "2015-03-04", "F", "12 Quarry Lane", "Leeds", "LS1 4AB"),
    ("s1", "school", "Amelia", "Thorntn", "2015-03-04", "F", "12 Quarry Lane", "Leeds", "LS1 4AB"),
    ("b1", "benefit", "Millie", "Thornton", "2015-04-03", "F", "", "", "LS1 4AB"),
    ("h2", "health", "Noah", "Begum", "2012-11-30", "M", "1 Mill Street", "Bradford", "BD1 1AA"),
    ("s2", "school", "Noah", "Begum", "2012-11-30", "M", "1 Mill Street", "Bradford", "BD1 1AA"),
    ("x1", "health", "Bad", "Date", "2012-02-30", "M", "", "", ""),
]


def test_records_of_one_child_from_several_sources_share_a_cluster(db, tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(link_csv(ROWS))
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
                f"{syllables(i)}ton".capitalize(),
                f"20{10 + i % 8}-0{1 + i % 9}-{10 + i % 18}",
                "F",
                "",
                "",
                "",
            )
            for i in range(copies)
        ]
        source.write_text(link_csv(rows))
        # A first run fills the engine's caches of these names (bounded, shared by every run of the
        # process: `matching`'s lru_caches); the second is measured, so what it holds is the run's own.
        with source.open() as handle, out.open("w") as written:
            link_file(handle, written)
        with source.open() as handle, out.open("w") as written:
            tracemalloc.start()
            report = link_file(handle, written)
            _, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert report.rejected == 0  # every row is held in the store: the store is what is measured
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
    report = link_file(StringIO(link_csv(twins)), out)
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
    report = link_file(StringIO(link_csv(twins)), out)
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
    link_file(StringIO(link_csv(twins)), out)
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
    report = link_file(StringIO(link_csv(rows)), out)
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
        link_csv(
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
        link_csv(
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
    text = link_csv([ROWS[0], ("z1", "health", "Zoë", "Quayle", "2014-01-09", "F", "", "", "")])
    source.write_bytes(b"\xef\xbb\xbf" + text.encode("latin-1"))
    printed = StringIO()
    call_command("link_file", str(source), "--out", str(out), "--no-progress", stdout=printed)
    written = {row["record_id"]: row for row in csv.DictReader(out.open())}
    assert written["h1"]["decision"] == "new" and written["z1"]["decision"] == "rejected"
    assert "row 2: not valid UTF-8 text" in printed.getvalue()


AMELIA = ("h1", "health", "Amelia", "Thornton", "2015-03-04", "F", "12 Quarry Lane", "Leeds", "LS1 4AB")


def _written(out: StringIO) -> list[dict[str, str]]:
    out.seek(0)
    return list(csv.DictReader(out))


def test_many_exact_duplicates_of_one_child_end_up_in_one_cluster(db):
    # The same record sent 260 times (a source re-sending its whole extract): one child, one cluster,
    # although 260 is past the candidate cap of 200.
    rows = [(f"r{i}", "health", *AMELIA[2:]) for i in range(260)]
    out = StringIO()
    report = link_file(StringIO(link_csv(rows)), out)
    written = _written(out)
    assert len(written) == 260
    assert len({row["cluster_id"] for row in written}) == 1, report
    assert [row["decision"] for row in written] == ["new"] + ["match"] * 259
    assert (report.clusters, report.linked, report.reviews, report.over_cap) == (1, 259, 0, 0)


def test_a_record_whose_block_is_over_the_candidate_cap_is_flagged_for_review_and_counted(db, tmp_path):
    # 260 records of one name and date of birth, each at another postcode: past 200 stored candidates
    # the engine cannot decide ("refine"), so the record goes to review, never silently to a new cluster.
    rows = [
        (f"r{i}", "health", *AMELIA[2:8], f"LS{1 + i // 26} {i % 10}{'ABCDEFGHJKLMNPQRSTUVWXYZAB'[i % 26]}B")
        for i in range(260)
    ]
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(link_csv(rows))
    printed = StringIO()
    call_command("link_file", str(source), "--out", str(out), "--no-progress", stdout=printed)
    written = list(csv.DictReader(out.open()))
    assert len(written) == 260
    undecided = [row for row in written[200:] if row["decision"] != "match"]
    assert undecided and all(row["decision"] == "review" for row in undecided)
    assert "new" not in {row["decision"] for row in written[1:]}
    assert f"{len(undecided)} of them over the candidate cap of 200" in printed.getvalue()


def test_an_unclosed_quote_does_not_silently_swallow_the_records_after_it(db):
    """The broken row is rejected by number; the lines it swallowed are read again as their own rows."""
    lines = [
        ",".join(COLUMNS),
        "h1,health,Amelia,Thornton,2015-03-04,F,,,LS1 4AB",
        'h2,health,"Amelia,Thornton,2015-03-04,F,,,LS1 4AB',  # unclosed quote
        "h3,health,Noah,Begum,2012-11-30,M,,,BD1 1AA",
        "h4,school,Noah,Begum,2012-11-30,M,,,BD1 1AA",
        "h5,school,Amelia,Thornton,2015-03-04,F,,,LS1 4AB",
    ]
    out, rejected = StringIO(), []
    report = link_file(
        StringIO("\r\n".join(lines) + "\r\n"), out, on_rejected=lambda n, why: rejected.append((n, why))
    )
    written = {row["record_id"]: row for row in _written(out)}
    assert set(written) == {"h1", "", "h3", "h4", "h5"}
    assert written["h3"]["cluster_id"] == written["h4"]["cluster_id"] != written["h1"]["cluster_id"]
    assert written["h5"]["cluster_id"] == written["h1"]["cluster_id"]
    assert rejected == [(2, "a quote is not closed")]
    assert (report.records, report.rejected) == (5, 1)


def test_a_cell_longer_than_the_csv_limit_rejects_its_row_by_number(db, tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    huge = ("h0", "health", "Amelia", "Thornton", "2015-03-04", "F", "x" * 200_000, "", "")
    source.write_text(link_csv([huge, AMELIA]))
    printed = StringIO()
    call_command("link_file", str(source), "--out", str(out), "--no-progress", stdout=printed)
    written = list(csv.DictReader(out.open()))
    assert [row["decision"] for row in written] == ["rejected", "new"]
    assert written[1]["record_id"] == "h1"
    assert "row 1: a cell is longer than any field allows" in printed.getvalue()
    assert "records: 2," in printed.getvalue()


def test_memory_stays_flat_however_many_rows_are_rejected(db, tmp_path):
    def peak(copies: int) -> int:
        source = tmp_path / f"bad{copies}.csv"
        source.write_text(
            link_csv(
                [(f"r{i}", "health", "Amelia", "", "2015-03-04", "F", "", "", "") for i in range(copies)]
            )
        )
        with source.open(newline="") as handle, (tmp_path / "out.csv").open("w", newline="") as out:
            tracemalloc.start()
            report = link_file(handle, out)
            _, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert report.rejected == copies
        return top

    small, large = peak(200), peak(20_000)
    assert large < small * 2, (small, large)


def test_the_command_lists_every_rejected_row_by_number_and_keeps_only_the_first_in_the_report(db, tmp_path):
    from linkage.filelink import REJECTED_ROWS_KEPT

    many = REJECTED_ROWS_KEPT + 5
    rows = [(f"r{i}", "health", "Amelia", "", "2015-03-04", "F", "", "", "") for i in range(many)]
    out = StringIO()
    report = link_file(StringIO(link_csv(rows)), out)
    assert report.rejected == many and len(report.rejected_rows) == REJECTED_ROWS_KEPT
    source = tmp_path / "in.csv"
    source.write_text(link_csv(rows))
    printed = StringIO()
    call_command("link_file", str(source), "--out", str(tmp_path / "o.csv"), "--no-progress", stdout=printed)
    listed = [line for line in printed.getvalue().splitlines() if line.startswith("row ")]
    assert listed[0] == "row 1: family_name is required" and len(listed) == many
