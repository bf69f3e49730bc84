"""A logging filter that keeps personal data out of log output.

Code never logs personal values on purpose; this filter is the backstop for accidents: exception
messages and tracebacks (which quote values), request objects (which carry POST bodies), `extra`
attributes, and format arguments. It renders the message once, redacts anything shaped like a date,
postcode, phone, NHS number or email address and the value of any known personal field name, keeps
only the type of an exception, and replaces every non-standard attribute it cannot vouch for.
It never raises: a broken log call must not become a 500 that logs the request.
"""

import logging
import re
from typing import Any

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_PATTERNS = [
    re.compile(r"\b\d{4}[/.-]\d{1,2}[/.-]\d{1,2}\b"),
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"),
    # "17 February 2011", "17th of Feb, 2011", "17-Feb-2011"; "February 17, 2011", "Feb 17th 2011"
    re.compile(rf"\b\d{{1,2}}{_ORDINAL}(?:\s+of)?[\s-]+{_MONTHS}\.?,?[\s-]+\d{{4}}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTHS}\.?\s+\d{{1,2}}{_ORDINAL},?\s+\d{{4}}\b", re.IGNORECASE),
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),
    # Started only where a run of address characters starts: unanchored, a match was tried from every
    # letter of a long word to its end (quadratic: a 20,000 letter path in a "Not Found" warning cost 3 s).
    re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+"),
    # 0 and 9 or 10 digits, spaced or not: "07700 900461", "+44 7700 900461", "+44 (0)7700 900461", and the
    # area code in brackets, "(01632) 960 001". Ends on a digit (the space after it is not the number's).
    re.compile(r"(?:\+44\s?(?:\(0\)\s?)?|\(0|\b0)(?:\d\)?[\s-]?){8,9}\d\b"),
    re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b"),
    # A unique pupil number: a check letter, twelve digits (a temporary one ends in a letter), under any name.
    re.compile(r"\b[A-Z]\d{11}[A-Z\d]\b"),
]
# Python's printing of a date or time (`datetime.date(2011, 2, 17)`): how every object of the record (an
# `Identity`, `ChildDetails`, a feed row) shows a date of birth. None of the patterns above reads it.
_PYTHON_DATE = re.compile(r"\bdatetime\.(?:date|datetime|time)\((?:[^()]|\([^()]*\))*\)?")
# The service's own fields that hold personal data, in its forms, feed rows and records. Any prefix is
# allowed (`former_family_name`, `home_postcode`, `carer_phone`, `decline_reason`, `outcome_detail`); free
# text (a reason, a detail, a summary) can name anyone, so it is redacted whole. A category is the sensitive
# service an involvement is with (`sensitive_category`) or why a record was closed for a new identity. A
# carer's relationship, a reference (a subject access request's, a child benefit one) and a pupil number
# identify a family as surely as a name. A feed row's `record_id` is not here: it is the source's own key,
# what an operator needs to find the row it sent.
_PERSONAL_FIELD = (
    r"(?:\w*_)?"
    r"(?:names?|surname|date_of_birth|dob|postcodes?|address(?:_lines?)?|lines?(?:_\d+)?|town|phone|mobile|"
    r"email|detail|reason|summary|value|index_numbers?|category|forenames?|known_as|nicknames?|relationship|"
    r"reference|upn|pupil_number|basis)"
    r"(?:_(?:day|month|year))?"  # a date sent as three parts (the search form's dob_day, a correction's value_day)
)
_FIELD_ASSIGNMENT = re.compile(
    rf"(?i)\b({_PERSONAL_FIELD})"
    r"(['\"]?\s*[:=]\s*)"
    # The value: a list or tuple of values (how a QueryDict shows each field, how a record holds its names)
    # whole; a dict or set (an address as sealed, a name's parts) to its closing brace; an object printed by
    # Python (`Address(lines=[...], ...)`) to its closing parenthesis; a quoted value to its closing quote,
    # apostrophes and escapes included (O'Brien); else a bare value, to the next separator.
    r"(?:\[[^\]]*\]?|\((?:[^()]|\([^()]*\))*\)?|\{(?:[^{}]|\{[^{}]*\})*\}?|[\w.]+\((?:[^()]|\([^()]*\))*\)?"
    r"|(?P<quote>['\"])(?:\\.|(?!(?P=quote)).)*(?P=quote)?|[^,&}\]\s\"]+(?:\s[^,&}\]=\s\"]+)*)"
)
REDACTED = "[redacted]"

# Attributes every LogRecord has; anything else arrived through `extra=` and is not trusted.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_SAFE_TYPES = (int, float, bool, type(None))


def redact(text: str) -> str:
    text = _PYTHON_DATE.sub(REDACTED, text)
    text = _FIELD_ASSIGNMENT.sub(
        lambda m: f"{m[1]}{m[2]}{m['quote'] or ''}{REDACTED}{m['quote'] or ''}", text
    )
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def _rendered(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a bad format call must not hide the event, nor leak its arguments
        try:
            return f"{record.msg!s} [unformattable arguments]"
        except Exception:  # the message itself cannot be printed: its type is all there is to say
            return f"<{type(record.msg).__name__}> [unformattable arguments]"


def _scrubbed_extra(value: Any) -> Any:
    if isinstance(value, _SAFE_TYPES):
        return value
    if isinstance(value, str):
        return redact(value)
    return f"<{type(value).__name__}>"


class PersonalDataFilter(logging.Filter):
    """Attach to every handler (see LOGGING in config/settings/base.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(_rendered(record))
        if record.exc_info:
            exc_type = record.exc_info[0]
            message = f"{message} [{exc_type.__name__ if exc_type else 'exception'}]"
        record.msg = message
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        for name in set(vars(record)) - _STANDARD:
            setattr(record, name, _scrubbed_extra(getattr(record, name)))
        return True
