"""The log filter redacts the personal fields it had no name for, and a unique pupil number anywhere.

Nothing logs these today (found by a review, not in a log): the backstop knew a carer's name but not a
carer's `relationship` ("adoptive mother" in Python's printing of a `CarerDetails`), nor `forename`,
`known_as`, a `reference` (a subject access request's, a child benefit reference), nor a unique pupil
number (a letter and twelve digits), under its own field name or beside another. A feed row's `record_id`
stays readable: it is the source's own key, what an operator needs to find the row it sent.
"""

import logging

import pytest

from children.records import CarerDetails
from vault.logging import REDACTED, PersonalDataFilter

SECRET = "Quillbottom"
UPN = "A123456789012"


def _logged(msg: str, *args: object) -> str:
    record = logging.LogRecord("contactpoint", logging.WARNING, __file__, 1, msg, args, None)
    PersonalDataFilter().filter(record)
    return record.getMessage()


@pytest.mark.parametrize(
    "text",
    [
        f"forename={SECRET}",
        f"forenames: {SECRET}",
        f"known_as={SECRET}",
        f"nickname='{SECRET}'",
        f"reference=SAR {SECRET} family",
        f"child_benefit_reference={SECRET}77",
        f"relationship={SECRET}",
        f"{{'relationship': '{SECRET} foster carer'}}",
        # A sensitive service's basis for recording (session 35): "significant_harm" tells of the child.
        f"basis={SECRET}",
        f"recording_basis='{SECRET}'",
        f"{{'basis': '{SECRET}'}}",
    ],
)
def test_a_personal_field_it_had_no_name_for_is_redacted(text):
    logged = _logged("%s", text)
    assert SECRET not in logged and REDACTED in logged, logged


def test_a_carer_printed_by_python_keeps_neither_name_nor_relationship():
    carer = CarerDetails(name="Grace Thornton", relationship="adoptive mother", phone="07700 900123")
    logged = _logged("%r", carer)
    for value in ("Grace", "adoptive mother", "07700"):
        assert value not in logged, logged


@pytest.mark.parametrize(
    "text",
    [
        f"upn={UPN}",
        f"pupil_number: {UPN}",
        f"unique_pupil_number={UPN}",
        f"scheme='upn' id={UPN}",
        f"{UPN[:-1]}Z",
    ],
)
def test_a_unique_pupil_number_is_redacted_wherever_it_stands(text):
    logged = _logged("%s", text)
    assert UPN[:-1] not in logged and REDACTED in logged, logged


def test_a_feed_rows_record_id_and_ordinary_words_stay_readable():
    logged = _logged("row %s record_id=%s: %s", 7, "H-1", "rejected: the batch reference was not found")
    assert logged == "row 7 record_id=H-1: rejected: the batch reference was not found"
