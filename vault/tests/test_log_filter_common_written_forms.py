"""The log filter redacts phone numbers and dates as people in England commonly write them, the sensitive
service a child is known to, and never raises on a message it cannot print.

The filter (`vault.logging.PersonalDataFilter`) claimed phones and written dates, but read only some of
their forms: a phone number with its area code in brackets, "(01632) 960 001" (how UK numbers are most
often written, and the involvement and carer phone boxes take it as typed), or an international one with
"(0)", "+44 (0)7700 900461", went through whole; so did a date with the month first and an ordinal
("Feb 17th, 2011"), "17th of February 2011", "17-Feb-2011" and "2011/02/17". An involvement's
`sensitive_category` (sexual health, mental health, substance misuse: hidden even from the practitioners
who open the record) was printed in clear with every `InvolvementDetails`, and so was the new identity
form's `category` (adoption, or protection: the reason a record is closed and its child given a new one,
which the service seals in the audit log). A dict or a set after a personal field's name was redacted
up to its first comma only, as a bare value: `proposed_value={'lines': ['12 Wystan Mews',
'Persephoneville'], ...}` left the town, `names={'Zeph', 'Quillbottom'}` the second name.
"""

import json
import logging
from datetime import date

import pytest
from django.http import QueryDict

from children.records import InvolvementDetails, SensitiveCategory
from lifecycle.identity import NewIdentityCategory
from vault.logging import REDACTED, PersonalDataFilter, redact


@pytest.mark.parametrize(
    "phone",
    [
        "(01632) 960 001",
        "(01632) 960001",
        "(0113) 496 0000",
        "(020) 7946 0018",
        "+44 (0)7700 900461",
        "+44 (0) 113 496 0000",
        "+44 (0)20 7946 0018",
    ],
)
def test_a_uk_phone_number_with_its_area_code_in_brackets_is_redacted(phone):
    redacted = redact(f"carer rang from {phone} today")
    assert redacted == f"carer rang from {REDACTED} today", redacted


@pytest.mark.parametrize(
    "written",
    [
        "Feb 17th, 2011",
        "February 17th 2011",
        "17th of February 2011",
        "17 of Feb 2011",
        "17-Feb-2011",
        "17-february-2011",
        "2011/02/17",
        "2011/2/17",
    ],
)
def test_a_date_written_month_first_with_an_ordinal_with_of_or_in_other_separators_is_redacted(written):
    redacted = redact(f"born {written} ok")
    assert redacted == f"born {REDACTED} ok", redacted


def test_phones_and_dates_already_redacted_stay_redacted_and_plain_numbers_stay_readable():
    assert redact("call 07700 900461 or +44 7700 900461") == f"call {REDACTED} or {REDACTED}"
    assert redact("born 17 February 2011, February 17, 2011") == f"born {REDACTED}, {REDACTED}"
    kept = "status_code=500 (42) items in 3.2s, batch 12 of 40, version (0)"
    assert redact(kept) == kept


def test_a_dict_or_a_set_after_a_personal_field_name_is_redacted_whole():
    address = {"lines": ["12 Wystan Mews", "Persephoneville"], "postcode": "YO62 7QZ", "status": "known"}
    name = {"given_names": "Zephyrinella", "family_name": "Quillbottom"}
    for text in (
        f"address={address}, field=address",
        str({"proposed_value": address, "field": "address"}),
        json.dumps({"address": address, "field": "address"}),
        str({"value": name, "field": "name"}),
        json.dumps({"previous_value": {"names": name}, "field": "name"}),
        str({"given_names": {"Zephyrinella", "Rose"}, "field": "name"}),
    ):
        redacted = redact(text)
        for value in ("Wystan", "Persephoneville", "YO62", "Zephyrinella", "Rose", "Quillbottom"):
            assert value not in redacted, redacted
        assert "field" in redacted, redacted  # what follows the dict is read as before


@pytest.mark.parametrize("category", SensitiveCategory.ALL)
def test_the_sensitive_service_a_child_is_known_to_is_redacted(category):
    involvement = InvolvementDetails(
        practitioner_name="Jo Quillbottom",
        role="nurse",
        organisation_id=4,
        started_on=date(2024, 1, 5),
        sensitive_category=category,
    )
    for text in (
        repr(involvement),
        str(vars(involvement)),
        f"sensitive_category={category}",
        f'{{"sensitive_category": "{category}"}}',
    ):
        redacted = redact(text)
        assert category not in redacted, redacted
        assert "sensitive_category" in redacted
    assert "role='nurse'" in redact(repr(involvement))


@pytest.mark.parametrize("category", [value for value, _ in NewIdentityCategory.CHOICES])
def test_the_reason_a_record_was_closed_for_a_new_identity_is_redacted(category):
    posted = QueryDict(f"category={category}&confirm=on")
    for text in (repr(posted), str(posted.dict()), posted.urlencode()):
        redacted = redact(text)
        assert category not in redacted, redacted
        assert "confirm" in redacted


def test_the_filter_never_raises_on_a_message_that_cannot_be_printed():
    """A log call given an object whose printing fails: the filter tried printing it again as its fallback,
    so the log call itself raised (a page would fail because of its logging)."""

    class Unprintable:
        def __str__(self):
            raise RuntimeError("Quillbottom")

    record = logging.LogRecord("children", logging.WARNING, __file__, 1, Unprintable(), (), None)
    assert PersonalDataFilter().filter(record) is True
    message = record.getMessage()
    assert "Unprintable" in message and "unformattable" in message
    assert "Quillbottom" not in message

    logger = logging.getLogger("children")
    logger.warning(Unprintable())  # through the configured handler and its filter: no exception
