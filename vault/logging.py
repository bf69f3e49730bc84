"""A logging filter that keeps personal data out of log output.

Code never logs personal values on purpose; this filter is the backstop for accidents (exception
messages, request bodies): it drops request objects and values of known personal field names, and
redacts anything shaped like a date of birth, postcode, phone number or email address.
"""

import logging
import re

_PATTERNS = [
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    re.compile(r"(?:\+44\s?|\b0)(?:\d\s?){9,10}\b"),
]
_FIELD_ASSIGNMENT = re.compile(
    r"(?i)\b(given_names?|family_name|surname|name|date_of_birth|dob|postcode|address|phone|email)"
    r"(['\"]?\s*[:=]\s*)(['\"]?)[^,&}\s'\"]+(?:\s[^,&}=\s'\"]+)*"
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    text = _FIELD_ASSIGNMENT.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{REDACTED}", text)
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        if hasattr(record, "request"):
            record.request = None
        if record.exc_info:
            # Tracebacks can quote local variables via exception messages; keep the type only.
            exc_type = record.exc_info[0]
            record.msg = f"{record.msg} [{exc_type.__name__ if exc_type else 'exception'}]"
            record.exc_info = None
            record.exc_text = None
        return True
