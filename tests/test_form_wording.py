"""Every form speaks GOV.UK: no Django default error message reaches a page.

Walks every form class in the project with empty, over-long, malformed and half-filled answers and
fails on any of Django's own messages ("This field is required.", "Ensure this value has at most ...",
"Enter a valid email address.", the password validators' sentences), and on any message ending in a full
stop (the Design System's messages have none).
"""

import importlib
import inspect
from datetime import date
from pathlib import Path

import pytest
from django import forms
from django.core import validators
from django.forms import fields as django_fields
from django.test import RequestFactory
from django.urls import reverse

import accounts.forms
import children.forms
import lifecycle.forms
import reports.forms
import team.forms
from children.forms import SearchForm
from tests.journeys import signed_in
from tests.test_no_server_errors import _form_cases

ROOT = Path(__file__).resolve().parents[1]
# Every app's forms module, found on disk: a new app's forms are walked (and must get a case) too.
MODULES = tuple(
    importlib.import_module(f"{path.parent.name}.forms")
    for path in sorted(ROOT.glob("*/forms.py"))
    if (path.parent / "__init__.py").exists()
)


def _django_default_messages() -> set[str]:
    """The fixed start of every message Django writes itself (up to its first placeholder)."""
    messages: set[str] = set()
    for _, klass in inspect.getmembers(django_fields, inspect.isclass):
        for message in getattr(klass, "default_error_messages", {}).values():
            messages.add(str(message))
    for _, klass in inspect.getmembers(validators, inspect.isclass):
        message = getattr(klass, "message", None)
        if isinstance(message, str):
            messages.add(message)
    messages |= {
        "This password is too short",
        "This password is too common",
        "This password is entirely numeric",
        "The password is too similar",
    }
    return {message.split("%")[0].strip() for message in messages if len(message.split("%")[0].strip()) > 6}


DJANGO_DEFAULTS = _django_default_messages()


def _cases(world):
    cases = dict(_form_cases(world))
    cases[lifecycle.forms.ArchiveOpenForm] = lambda d: lifecycle.forms.ArchiveOpenForm(d, statutory=True)
    cases[lifecycle.forms.ArchiveFindForm] = lambda d: lifecycle.forms.ArchiveFindForm(d)
    cases[lifecycle.forms.TransferRequestForm] = lambda d: lifecycle.forms.TransferRequestForm(
        d, local_authorities=[(str(world.south.pk), world.south.name)]
    )
    cases[lifecycle.forms.TransferDecisionForm] = lambda d: lifecycle.forms.TransferDecisionForm(
        {"decision": "decline", **d}
    )
    cases[lifecycle.forms.TransferWithdrawForm] = lambda d: lifecycle.forms.TransferWithdrawForm(d)
    cases[lifecycle.forms.AddressStatusForm] = lambda d: lifecycle.forms.AddressStatusForm(d)
    cases[lifecycle.forms.NewIdentityForm] = lambda d: lifecycle.forms.NewIdentityForm(d)
    cases[lifecycle.forms.ShieldingForm] = lambda d: lifecycle.forms.ShieldingForm(d, shielded=False)
    cases[lifecycle.forms.ArchiveAgeForm] = lambda d: lifecycle.forms.ArchiveAgeForm(d)
    return cases


def _every_form_class():
    found = set()
    for module in MODULES:
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                found.add(value)
    return sorted(found, key=repr)


def _answers(fields):
    names = list(fields)
    yield {}
    yield dict.fromkeys(names, "x" * 5000)
    yield dict.fromkeys(names, "not valid \u00b2 @")
    yield dict.fromkeys(names, " ")
    yield {name: "1" for name in names if name.endswith("_day")}
    yield {name: ("13" if name.endswith("_month") else "2") for name in names if name.endswith(PARTS)}


PARTS = ("_day", "_month", "_year")


def _messages(form):
    form.is_valid()
    return [str(message) for errors in form.errors.values() for message in errors]


def test_every_form_class_is_walked(world):
    assert set(_every_form_class()) <= set(_cases(world))


@pytest.mark.parametrize("form_class", _every_form_class(), ids=lambda c: c.__name__)
def test_no_form_shows_a_django_default_message(world, form_class):
    build = _cases(world)[form_class]
    seen = []
    for answers in _answers(build({}).fields):
        for message in _messages(build(answers)):
            seen.append(message)
            default = next((d for d in DJANGO_DEFAULTS if message.startswith(d)), None)
            assert default is None, f"{form_class.__name__}: Django's own message {message!r}"
            assert not message.endswith("."), f"{form_class.__name__}: {message!r} ends with a full stop"
    assert seen, f"{form_class.__name__} never showed an error: the walk proved nothing"


def test_an_empty_required_field_is_named_in_the_message(world):
    form = team.forms.InviteForm({}, local_authority_id=world.north.pk)
    messages = _messages(form)
    assert "Enter first name" in messages
    assert "Select the organisation they work for" in messages
    assert "Enter the enhanced background check date" in messages


def test_an_over_long_answer_says_how_long_it_may_be(world):
    messages = _messages(children.forms.OverrideForm({"reason": "x" * 501, "understood": "on"}))
    assert messages == ["Your answer must be 500 characters or fewer"]
    messages = _messages(team.forms.SuspendForm({"reason": "x" * 301}))
    assert messages == ["Your answer must be 300 characters or fewer"]
    messages = _messages(children.forms.PurposeForm({"purpose": "other", "detail": "x" * 501}))
    assert messages == ["Details must be 500 characters or fewer"]


def test_a_renewed_background_checks_date_is_named_in_its_messages(world):
    form = team.forms.BackgroundCheckForm
    held = world.alice.background_check_on
    assert _messages(form({}, subject=world.alice)) == ["Enter the date of the enhanced background check"]
    assert _messages(
        form({"background_check_day": "4", "background_check_year": "2026"}, subject=world.alice)
    ) == ["The date of the enhanced background check must include a month"]
    same = {
        "background_check_day": str(held.day),
        "background_check_month": str(held.month),
        "background_check_year": str(held.year),
    }
    assert _messages(form(same, subject=world.alice)) == [
        "This date is already recorded: enter the date of the renewed check"
    ]


def test_the_corrected_invitation_address_is_named_in_its_messages(world):
    form = team.forms.InvitationAddressForm
    assert _messages(form({}, invitee=world.alice, corrector=world.lena)) == ["Enter their email address"]
    assert _messages(form({"email": "nope"}, invitee=world.alice, corrector=world.lena)) == [
        "Enter an email address in the correct format, like name@example.com"
    ]


def test_a_malformed_email_address_gets_the_govuk_message(world):
    form = children.forms.InvolvementForm(
        {
            "role": "Teacher",
            "phone": "1",
            "email": "nope",
            "start_day": "1",
            "start_month": "1",
            "start_year": "2024",
        }
    )
    assert _messages(form) == ["Enter an email address in the correct format, like name@example.com"]


@pytest.mark.parametrize(
    ("parts", "message", "wrong"),
    [
        (("", "", ""), None, set()),
        (("4", "", "2015"), "Date of birth must include a month", {"dob_month"}),
        (("", "", "2015"), "Date of birth must include a day and month", {"dob_day", "dob_month"}),
        (("4", "13", "2015"), "Date of birth must be a real date", {"dob_month"}),
        (("31", "4", "2015"), "Date of birth must be a real date", {"dob_day"}),
        (("4", "3", "15"), "Date of birth must be a real date", {"dob_year"}),
        (
            ("4", "3", "2999"),
            "Date of birth must be today or in the past",
            {"dob_day", "dob_month", "dob_year"},
        ),
    ],
)
def test_the_date_input_marks_only_the_wrong_part(parts, message, wrong):
    day, month, year = parts
    form = SearchForm({"family_name": "Thornton", "dob_day": day, "dob_month": month, "dob_year": year})
    form.is_valid()
    assert form.date_parts_wrong == wrong
    if message:
        first_wrong = min(wrong, key=["dob_day", "dob_month", "dob_year"].index)
        assert form.errors[first_wrong] == [message]


def test_the_page_highlights_only_the_wrong_box_and_links_to_it(world):
    page = signed_in(world.lena).get(
        reverse("audit:unexplained"), {"from_day": "1", "from_month": "13", "from_year": "2026"}
    )
    html = page.content.decode()
    assert '<a href="#id_from_month">The start date must be a real date</a>' in html
    assert html.count("govuk-input--error") == 1
    assert 'id="id_from_month" name="from_month"' in html.split("govuk-input--error")[1][:40] or (
        'govuk-input--error" id="id_from_month"' in html
    )


def test_the_sign_in_form_names_each_missing_answer(world):
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.1")
    form = accounts.forms.SignInForm(request, data={})
    assert _messages(form) == ["Enter your username", "Enter your password"]


def test_report_dates_in_links_still_filter(world):
    form = reports.forms.ReportFilterForm({"date_from": "2026-01-02"})
    assert form.period() == (date(2026, 1, 2), None)
