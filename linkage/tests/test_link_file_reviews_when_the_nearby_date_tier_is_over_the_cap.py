"""`link_file` widens tier by tier as linkage does: a record whose nearby-date tier is over the candidate
cap, with nothing plausible at its date, is a review (counted in `over_cap`), never silently a new cluster
beside a record it never compared (a review's finding, session 36; the feed's linkage had the same gap).
`FILE_CANDIDATE_LIMIT` is lowered to 5 so national density fits in a test."""

from io import StringIO

from linkage import filelink
from linkage.filelink import link_file
from linkage.tests.link_files import link_csv

# Amelia Smith born 14 March 2015, then Smiths born on dates one keying mistake from 4 March 2015, then
# Amelia again with her date mistyped (4 March): the record the file's last row should be compared with.
AMELIA = ("a1", "health", "Amelia", "Smith", "2015-03-14", "F", "", "", "")
OTHERS = [
    (f"z{day}", "health", "Zed", "Smith", f"2015-03-{day:02d}", "M", "", "", "")
    for day in (5, 6, 7, 8, 9, 24)
]
MISTYPED = ("a2", "school", "Amelia", "Smith", "2015-03-04", "F", "", "", "")


def _decisions(rows) -> tuple[dict[str, str], filelink.FileLinkReport]:
    out = StringIO()
    report = link_file(StringIO(link_csv(rows)), out)
    out.seek(0)
    lines = out.getvalue().splitlines()[1:]
    return {line.split(",")[0]: line.split(",")[3] for line in lines}, report


def test_a_record_whose_nearby_dates_are_over_the_cap_is_a_review_not_a_new_cluster(db, monkeypatch):
    monkeypatch.setattr(filelink, "FILE_CANDIDATE_LIMIT", 5)
    decisions, report = _decisions([AMELIA, *OTHERS, MISTYPED])
    assert decisions["a2"] == "review"
    assert report.over_cap == 1


def test_within_the_cap_the_mistyped_date_is_compared(db):
    decisions, report = _decisions([AMELIA, *OTHERS, MISTYPED])
    assert decisions["a2"] in ("match", "review")
    assert report.over_cap == 0
