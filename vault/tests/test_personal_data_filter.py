import logging
import sys

from vault.logging import REDACTED, PersonalDataFilter, redact


def _record(msg, args=(), **extra):
    record = logging.LogRecord("children", logging.WARNING, __file__, 1, msg, args, None)
    for name, value in extra.items():
        setattr(record, name, value)
    return record


def _filtered(record):
    assert PersonalDataFilter().filter(record) is True
    return record.getMessage()


def test_it_redacts_dates_in_every_common_form():
    for text in (
        "2011-02-17",
        "17/02/2011",
        "17.02.11",
        "17 February 2011",
        "17th Feb 2011",
        "February 17, 2011",
    ):
        assert redact(f"born {text} ok") == f"born {REDACTED} ok", text


def test_it_redacts_postcodes_emails_phones_and_nhs_numbers():
    text = (
        "at YO62 7QZ, yo627qz, mail p.a@example.net, call 07700 900461 or +44 7700 900461, nhs 401 023 2137"
    )
    redacted = redact(text)
    for value in ("YO62", "yo627qz", "example.net", "900461", "2137"):
        assert value not in redacted


def test_it_redacts_values_of_personal_field_names():
    text = (
        "family_name='Quillbottom', 'given_names': 'Zephyrinella Rose', carer_name=Persephone detail: Wystan"
    )
    redacted = redact(text)
    for value in ("Quillbottom", "Zephyrinella", "Rose", "Persephone", "Wystan"):
        assert value not in redacted
    assert "family_name" in redacted


def test_it_renders_arguments_before_redacting_them():
    assert _filtered(_record("child born %s in %s", ("2011-02-17", "YO62 7QZ"))) == (
        f"child born {REDACTED} in {REDACTED}"
    )


def test_it_survives_a_log_call_with_the_wrong_arguments():
    message = _filtered(_record("two %s %s", ("only-one",)))
    assert "unformattable" in message
    assert "only-one" not in message


def test_it_keeps_only_the_type_of_an_exception():
    try:
        raise ValueError("Zephyrinella Quillbottom")
    except ValueError:
        record = _record("failed")
        record.exc_info = sys.exc_info()
    record.stack_info = "Stack: Zephyrinella"
    assert _filtered(record) == "failed [ValueError]"
    assert record.exc_info is None and record.exc_text is None and record.stack_info is None


def test_it_names_an_exception_without_a_type():
    record = _record("failed")
    record.exc_info = (None, None, None)
    assert _filtered(record) == "failed [exception]"


def test_it_replaces_request_objects_and_redacts_extra_strings():
    class Request:
        POST = {"family_name": "Quillbottom"}

    record = _record("Not Found", request=Request(), note="dob=2011-02-17", status_code=404, flag=None)
    _filtered(record)
    assert record.request == "<Request>"
    assert record.note == f"dob={REDACTED}"
    assert record.status_code == 404 and record.flag is None


def test_it_is_idempotent_when_two_handlers_apply_it():
    record = _record("born %s", ("2011-02-17",))
    first = _filtered(record)
    assert _filtered(record) == first


def test_the_configured_handlers_all_carry_the_filter():
    for name in ("", "django", "django.server"):
        handlers = [
            h for h in logging.getLogger(name).handlers if not type(h).__module__.startswith("_pytest")
        ]
        assert handlers, name
        assert all(any(isinstance(f, PersonalDataFilter) for f in h.filters) for h in handlers), name


def test_it_redacts_a_logged_query_dict_of_the_search_form_whole():
    """The likeliest accident: request.POST (or a form's data) passed to a log call. A QueryDict shows
    each field as a list, and the search form sends the date of birth as three parts."""
    from django.http import QueryDict

    posted = QueryDict(
        "family_name=Quillbottom&given_name=Zephyrinella&dob_day=17&dob_month=2&dob_year=2011&postcode=YO62+7QZ"
    )
    for text in (repr(posted), str(dict(posted)), str(posted.dict()), posted.urlencode()):
        redacted = _filtered(_record("search form %s", (text,)))
        for value in ("Quillbottom", "Zephyrinella", "17", "2011", "YO62"):
            assert value not in redacted, (value, redacted)
        assert "family_name" in redacted and "dob_year" in redacted


def test_it_redacts_a_name_with_an_apostrophe_whole():
    for text in (
        "family_name=O'Quillbottom&given_name=D'Zephyr",
        str({"family_name": "O'Quillbottom", "given_name": "D'Zephyr"}),
        '{"family_name": "O\'Quillbottom", "given_name": "D\'Zephyr"}',
        "family_name: 'O\\'Quillbottom', given_name: 'D\\'Zephyr'",
    ):
        redacted = redact(text)
        assert "Quillbottom" not in redacted and "Zephyr" not in redacted, (text, redacted)
