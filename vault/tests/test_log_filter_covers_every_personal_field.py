"""The log filter redacts the values of the service's own personal fields, however they are printed.

The filter (`vault.logging.PersonalDataFilter`) is the backstop for a personal value reaching a log by
accident: a form's data, a feed row, or an object of the record passed to a log call. It knew the search
form's fields only. A feed row's `former_family_name` (the name a shielded child was known by) and
`town`, the address pages' `line_1`/`line_2`/`town`, a correction's `value` (and the date parts
`value_day`...), the free-text reasons (a shield or break-glass reason), a complaint's `summary`, and
the child's index number all went through in clear; so did Python's own printing of the record's
objects: a date of birth as `datetime.date(2011, 2, 17)` (wholly, or its day and month after a field
name), a tuple of names after the first (`family_names=('Quillbottom', 'Okafor')`, an `Identity`'s
former names) and an address's town after its first line (`address=Address(lines=[...])`).
"""

from datetime import date

import pytest
from django.http import QueryDict

from children.records import Address, CarerDetails, ChildDetails, FormerName
from feeds.validation import FeedRecord
from matching.identity import Identity
from vault.logging import REDACTED, redact

# Canaries: made-up values no log of a test run holds by chance.
FAMILY = "Quillbottom"
FORMER = "Okafordale"
GIVEN = "Zephyrinella"
LINE = "Wystan Mews"
TOWN = "Persephoneville"
DAY, MONTH, YEAR = 17, 2, 2011
CANARIES = (FAMILY, FORMER, GIVEN, "Wystan", TOWN, "2011", "17")


def _leaks(text: str) -> list[str]:
    redacted = redact(text)
    return [value for value in CANARIES if value in redacted]


@pytest.mark.parametrize(
    "posted",
    [
        # The LA team's address page and new identity page
        f"status=known&line_1=12+{LINE.replace(' ', '+')}&line_2=Flat+2&town={TOWN}&postcode=YO62+7QZ",
        f"given_names={GIVEN}&family_name={FAMILY}&dob_day={DAY}&dob_month={MONTH}&dob_year={YEAR}"
        f"&line_1={LINE.replace(' ', '+')}&town={TOWN}",
        # A correction of the family name, of the date of birth, of the address
        f"value={FAMILY}&reason=Known+as+{FORMER}+since+the+adoption",
        f"value_day={DAY}&value_month={MONTH}&value_year={YEAR}",
        # Free text about the child: a shield's or a transfer's reason, a complaint
        f"reason=Father+{FAMILY}+must+not+find+{GIVEN}&confirm=on",
        f"decline_reason=Lives+in+{TOWN}+now&statutory_reason=Section+47+enquiry+about+{GIVEN}",
        f"summary={FAMILY}+says+the+address+in+{TOWN}+is+wrong&outcome_detail=Corrected+for+{GIVEN}",
    ],
)
def test_a_logged_form_of_the_service_redacts_every_personal_value(posted):
    data = QueryDict(posted)
    for text in (repr(data), str(dict(data)), str(data.dict()), data.urlencode()):
        assert _leaks(text) == [], (text, redact(text))


def test_a_logged_feed_row_redacts_the_former_family_name_and_the_town():
    row = {
        "record_id": "H-1",
        "local_authority": "LA-N",
        "given_names": GIVEN,
        "family_name": FAMILY,
        "former_family_name": FORMER,
        "date_of_birth": f"{YEAR}-0{MONTH}-{DAY}",
        "address_line": f"12 {LINE}",
        "town": TOWN,
        "postcode": "YO62 7QZ",
    }
    assert _leaks(str(row)) == []
    assert _leaks("&".join(f"{name}={value}" for name, value in row.items())) == []
    assert "former_family_name" in redact(str(row)) and "record_id': 'H-1'" in redact(str(row))


def test_the_records_own_objects_printed_by_python_are_redacted():
    born = date(YEAR, MONTH, DAY)
    objects = [
        Identity(
            family_names=(FAMILY, FORMER),
            given_names=(GIVEN, "Rose"),
            date_of_birth=born,
            postcodes=("YO62 7QZ",),
            former_postcodes=("LS1 4AB",),
        ),
        ChildDetails(
            given_names=GIVEN,
            family_name=FAMILY,
            gender="female",
            date_of_birth=born,
            address=Address(lines=[f"12 {LINE}", "Flat 2", TOWN], postcode="YO62 7QZ"),
            former_names=[FormerName(given_names=GIVEN, family_name=FORMER)],
        ),
        FeedRecord(
            record_id="H-1",
            local_authority="LA-N",
            given_names=GIVEN,
            family_name=FAMILY,
            date_of_birth=born,
            former_family_name=FORMER,
            address_lines=(f"12 {LINE}", TOWN),
            postcode="YO62 7QZ",
        ),
        CarerDetails(
            name=f"Grace {FAMILY}",
            relationship="mother",
            address=Address(lines=[f"12 {LINE}", TOWN], postcode="YO62 7QZ"),
        ),
        (born,),
        [FAMILY, born],
    ]
    for thing in objects:
        text = repr(thing)
        leaked = _leaks(text)
        if isinstance(thing, list):
            leaked = [value for value in leaked if value != FAMILY]  # a bare name is beyond any pattern
        assert leaked == [], (text, redact(text))


def test_a_date_printed_by_python_is_redacted_wherever_it_stands():
    assert redact("born datetime.date(2011, 2, 17) ok") == f"born {REDACTED} ok"
    assert redact("at datetime.datetime(2011, 2, 17, 9, 30) ok") == f"at {REDACTED} ok"
    assert "17" not in redact("{'dob': datetime.date(2011, 2, 17)}")


def test_fields_that_hold_nothing_personal_are_left_readable():
    text = "status=known&confirm=on&record_id=H-1&local_authority=LA-N&gender=female&status_code=500"
    assert redact(text) == text


def test_a_long_word_in_a_log_message_is_filtered_in_linear_time():
    """The email pattern started a match at every letter of a word and ran each to its end: a 20,000
    character path in Django's "Not Found: /..." warning (anyone can send one, signed in or not) cost
    over 3 seconds of CPU in the filter, and three times the length nine times that (about 30 seconds).
    Now each run of letters is tried once: milliseconds."""
    import time

    for word in ("a" * 60_000, "a." * 30_000, "a_" * 30_000, "children/" + "9" * 60_000):
        started = time.perf_counter()
        redacted = redact(f"Not Found: /{word}")
        assert time.perf_counter() - started < 2.0, len(word)
        assert redacted.startswith("Not Found: /")
    assert redact("write to p.a+x@example.net or q@b.org now") == f"write to {REDACTED} or {REDACTED} now"
