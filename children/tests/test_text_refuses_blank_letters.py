"""Characters that count as letters or marks yet show nothing still got into names and free text.

`children.text` refused control, format, private-use and unassigned characters, but a name only had to
be letters and marks: the Hangul fillers (U+3164, U+115F, U+1160, U+FFA0) are "letters" (Lo) that draw
as blank space or nothing; the combining grapheme joiner, variation selectors, Mongolian free variation
selectors and the Khmer inherent vowels are marks (Mn) that draw nothing. Each is a Unicode default
ignorable code point. "Jones\\u3164Smith" reads as "Jones Smith" on every page, but is looked up as the
single word JONESSMITH, so a search by "Smith" misses the child a reader believes is called Smith; and
"Class\\u3164teacher" beside "Class teacher" is the same role to every reader but not to the duplicate
check, so one practitioner held two current involvements in one role. A pile of combining marks on one
letter draws over the lines above and below it (over another practitioner's contact details). The line
and paragraph separators (U+2028, U+2029) break a one-line value. All are now refused, as a feed, a
correction and every page refuse a right-to-left override.
"""

import unicodedata

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Involvement
from children.text import text_problem
from tests.journeys import signed_in, state_purpose
from tests.pages import rendered

BLANK = {
    "hangul filler": "\u3164",
    "hangul choseong filler": "\u115f",
    "hangul jungseong filler": "\u1160",
    "halfwidth hangul filler": "\uffa0",
    "combining grapheme joiner": "\u034f",
    "variation selector 16": "\ufe0f",
    "variation selector 17": "\U000e0100",
    "mongolian free variation selector": "\u180b",
    "khmer inherent vowel": "\u17b4",
}
INVOLVEMENT = {
    "role": "Class teacher",
    "phone": "0113 496 0000",
    "email": "alice@example.org",
    "start_day": "1",
    "start_month": "1",
    "start_year": "2024",
}


@pytest.mark.parametrize("character", BLANK.values(), ids=BLANK.keys())
def test_a_name_holding_a_letter_or_mark_that_shows_nothing_is_refused(character):
    assert text_problem(f"Jones{character}Smith", name=True) is not None
    assert text_problem(f"Flat 1{character}", name=False) is not None


@pytest.mark.parametrize("character", ["\u2028", "\u2029", "\u2800"], ids=["line", "paragraph", "braille"])
def test_a_line_or_paragraph_separator_or_a_blank_braille_cell_is_refused(character):
    assert text_problem(f"12 Quarry Lane{character}Leeds") is not None


def test_a_pile_of_combining_marks_on_one_letter_is_refused():
    assert text_problem("Amy" + "\u0301\u0300\u0302\u0303\u0304", name=True) is not None
    assert text_problem("Class teacher" + "\u0336" * 40) is not None


@pytest.mark.parametrize(
    "name",
    [
        unicodedata.normalize("NFD", "Nguy\u1ec5n"),  # e with circumflex and tilde: two marks
        "Zo\u00eb",
        "\u05e9\u05c1\u05b8\u05e8\u05b8\u05d4",  # Hebrew with points
        "\u0915\u094d\u0937\u093f\u0924\u093f\u091c",  # Devanagari with a virama
        "\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f",  # Arabic with a shadda and vowels
        "\uae40\ubbfc\uc900",  # Hangul syllables
        "O\u2019Brien-Kelly",
    ],
)
def test_real_names_with_their_accents_and_marks_are_still_accepted(name):
    assert text_problem(name, name=True) is None


def test_a_role_that_reads_as_one_already_held_is_refused_not_recorded_as_a_second(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    first = client.post(reverse("children:involvement_new", args=[child.pk]), INVOLVEMENT)
    assert first.status_code == 302
    response = client.post(
        reverse("children:involvement_new", args=[child.pk]), {**INVOLVEMENT, "role": "Class\u3164teacher"}
    )
    page = rendered(response, heading="Record your involvement")
    assert "control or invisible characters" in page
    assert Involvement.objects.count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded).count() == 1
