"""What one row of a child's identity may hold, however the row arrives: one rule for a feed row
(`feeds.validation`) and a row of an operator's own file (`linkage.filelink`, `manage.py link_file`).

An LA checks its extract with `link_file` before its feed goes live: a row the feed would refuse must be
refused there too, for the same reason. `link_file` read dates with bare `date.fromisoformat`, which in
Python 3.11 also takes a week date ("2015-W10-3"), eight digits ("20150304") and any year from 1 to 9999,
and took any character in a name; the feed refused all of them. Both now ask this module (a floor both may
import: docs/ARCHITECTURE.md, .importlinter).

Each rule answers with a phrase that never repeats the value; callers put it after the field's name
("date_of_birth is in the future"), so the reason is safe to show, store and log.
"""

import re
from datetime import date

from children.text import NAME_PARTS_MOST, name_too_long, text_problem

TEXT_LONGEST = 100  # characters, in any one value of a row
OLDEST_AGE_YEARS = 26  # an index of children (kept to 25 at most); anything older is a keying error

NOT_A_DATE = "is not a real date in the form YYYY-MM-DD"
IN_THE_FUTURE = "is in the future"
TOO_OLD = f"is more than {OLDEST_AGE_YEARS} years ago"

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def one_line(text: str) -> str:
    """The value as a row's rules judge and keep it: runs of white space made one space, none at the ends."""
    return " ".join(text.split())


def value_problem(text: str, *, name: bool) -> str | None:
    """Why a row's value (already `one_line`) may not go in, or None: too long, a character no record may
    hold (`children.text`; for a person's name, anything but the letters and separators a name holds), or
    a name of more parts than a record may be filed under."""
    if len(text) > TEXT_LONGEST:
        return f"is longer than {TEXT_LONGEST} characters"
    if problem := text_problem(text, name=name):
        return problem
    if name and name_too_long(text):
        return f"has more than {NAME_PARTS_MOST} parts"
    return None


class DateOfBirthInvalid(ValueError):
    """The message is the phrase (`NOT_A_DATE`, `IN_THE_FUTURE` or `TOO_OLD`), never the value."""


def date_of_birth_read(text: str, *, today: date) -> date:
    """The date of birth `text` (already `one_line`, not blank) gives, judged on `today`, or
    DateOfBirthInvalid.

    Only YYYY-MM-DD in ASCII digits: `date.fromisoformat` alone also takes week dates ("2016-W01-1") and
    eight digits without dashes. Not after `today`, and not in a year more than OLDEST_AGE_YEARS before it.
    """
    if not _ISO_DATE.fullmatch(text):
        raise DateOfBirthInvalid(NOT_A_DATE)
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise DateOfBirthInvalid(NOT_A_DATE) from None  # its message repeats the value
    if value > today:
        raise DateOfBirthInvalid(IN_THE_FUTURE)
    if value.year < today.year - OLDEST_AGE_YEARS:
        raise DateOfBirthInvalid(TOO_OLD)
    return value
