"""The inbox lists a bounded number of notices (`coordination.selectors.INBOX_LIMIT`). It took the newest
that many, whatever their state, and said nothing of the rest: a practitioner whose newer matches had
ended (their own involvements ended, as a caseload turns over) lost an older match still current, with
the child they still work with, from the page without a word. Matches about their own current
involvements now come first, and the page says when some are not shown."""

from datetime import date

import coordination.selectors
from children.services import involvement_cease
from coordination.tests.support import inbox_page, record, school_teacher

NOT_SHOWN = "Some of your older matches are not shown here."


def _current_part(page: str) -> str:
    start = page.index('id="current-heading"')
    end = page.index("Ended matches") if "Ended matches" in page else len(page)
    return page[start:end]


def test_an_older_current_match_is_listed_before_newer_ended_ones_and_the_rest_are_said_not_shown(
    world, child, monkeypatch
):
    carol = school_teacher(world)
    record(child, world.alice, role="Allocated social worker")
    record(child, carol, role="Class teacher")  # the oldest match: Alice's first involvement, current
    for role in ("Family support worker", "Youth worker"):  # two newer matches, Alice's own ended
        newer = record(child, world.alice, role=role)
        involvement_cease(involvement=newer, by=world.alice, ended_on=date(2025, 1, 1))
    monkeypatch.setattr(coordination.selectors, "INBOX_LIMIT", 2)

    page = inbox_page(world.alice)

    current = _current_part(page)
    assert "You have no current matches" not in current, "a current match was dropped for newer ended ones"
    assert "Carol Example" in current
    assert page.count('<li><strong class="govuk-tag govuk-tag--grey">Ended</strong>') == 1
    assert NOT_SHOWN in page


def test_the_page_says_nothing_of_matches_not_shown_when_all_are_listed(world, child):
    carol = school_teacher(world)
    record(child, world.alice, role="Allocated social worker")
    record(child, carol, role="Class teacher")

    page = inbox_page(world.alice)

    assert "Carol Example" in _current_part(page)
    assert NOT_SHOWN not in page
