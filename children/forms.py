"""Forms for the practitioner journey. Messages follow the GOV.UK Design System error style."""

from datetime import date
from typing import Any, Protocol, cast

from django import forms
from django.utils import timezone

from accounts.wording import GovukErrors
from children.purposes import PURPOSE_CHOICES
from children.records import Gender, RecordingBasis
from children.search import NAMES_PER_BOX, SearchCriteria, too_many_names
from children.text import text_problem
from matching.normalise import fold, normalise_partial_postcode

# The line breaks a reason typed in a box of several lines may hold; any other control character is refused.
_LINE_BREAKS = str.maketrans("\r\n\t", "   ")


def readable(text: str, label: str, *, name: bool = False, lines: bool = False) -> str:
    """`text` as typed, if it reads as it is stored; else a form error naming `label` (never the value).

    What is typed on these pages is read by others (the LA team investigating a break-glass, a child's
    access report, every practitioner on the record page) or searched on: a right-to-left override, a
    zero-width or another control character makes it read differently, so it is refused here as feeds and
    corrections refuse it (`children.text.text_problem`). `name`: letters only, as a feed's names.
    `lines`: a box of several lines keeps its line breaks.
    """
    checked = text.translate(_LINE_BREAKS) if lines else text
    if problem := text_problem(checked, name=name):
        raise forms.ValidationError(f"{label} {problem}")
    return text


class _FormWithErrors(Protocol):
    """What the mixin needs of the form it is mixed into (a Django form)."""

    cleaned_data: dict[str, Any]

    def add_error(self, field: str | None, error: str) -> None: ...


PARTS = ("day", "month", "year")
# More digits than any real day, month or year box needs, even with leading zeros; far below the
# 4,300 digits Python converts to a number.
_DATE_PART_DIGITS = 10


class DatePartsMixin:
    """GOV.UK date input: three boxes combined into one date, following the Design System's error rules.

    The message names what is wrong ("must include a month", "must be a real date") and only the wrong
    boxes are highlighted (`date_parts_wrong`, read by templates/govuk/date.html); the message sits on
    the first wrong box, so the error summary links to it. A whole date missing or in the future
    highlights all three. The boxes are plain text so that "13" as a month or "x" as a day gives a
    message in words, not the browser's.
    """

    date_parts_wrong: set[str]

    def combine_date(
        self: _FormWithErrors,
        prefix: str,
        *,
        label: str,
        required: bool,
        min_year: int = 1900,
        future: bool = False,
    ) -> date | None:
        data: dict[str, Any] = self.cleaned_data
        raw = {p: (data.get(f"{prefix}_{p}") or "").strip() for p in PARTS}
        wrong = _date_parts_wrong(self)

        def refuse(message: str, parts: tuple[str, ...] = PARTS) -> None:
            wrong.update(f"{prefix}_{p}" for p in parts)
            self.add_error(f"{prefix}_{parts[0]}", message)

        missing = tuple(p for p in PARTS if not raw[p])
        if len(missing) == len(PARTS):
            if required:
                refuse(f"Enter {label}")
            return None
        if missing:
            refuse(f"{label.capitalize()} must include a {' and '.join(missing)}", missing)
            return None
        numbers: dict[str, int | None] = {}
        for part in PARTS:
            value = raw[part]
            # Bounded before `int()`: Python refuses to convert more than 4,300 digits (a ValueError, a 500).
            number = value.isascii() and value.isdigit() and len(value) <= _DATE_PART_DIGITS
            numbers[part] = int(value) if number else None
        day, month, year = numbers["day"], numbers["month"], numbers["year"]
        bad = []
        if day is None or not 1 <= day <= 31:
            bad.append("day")
        if month is None or not 1 <= month <= 12:
            bad.append("month")
        if year is None or len(raw["year"]) != 4 or year < min_year:
            bad.append("year")
        if bad:
            refuse(f"{label.capitalize()} must be a real date", tuple(bad))
            return None
        assert day is not None and month is not None and year is not None  # noqa: S101 -- checked above
        try:
            value = date(year, month, day)
        except ValueError:  # 31 April, 29 February in a common year: the day is what is wrong
            refuse(f"{label.capitalize()} must be a real date", ("day",))
            return None
        if not future and value > timezone.localdate():
            refuse(f"{label.capitalize()} must be today or in the past")
            return None
        return value


def _date_parts_wrong(form: Any) -> set[str]:
    if not hasattr(form, "date_parts_wrong"):
        form.date_parts_wrong = set()
    wrong: set[str] = form.date_parts_wrong
    return wrong


def _date_part() -> forms.CharField:
    return forms.CharField(required=False, strip=True)


def _few_names(name: str, kind: str) -> str:
    """`name`, if it is one person's name; a box listing several people's names is refused
    (`children.search.too_many_names`: one search must not do the work of several)."""
    if too_many_names(name):
        raise forms.ValidationError(
            f"Enter at most {NAMES_PER_BOX} names as the {kind} name: "
            "any one part of a longer name finds the child"
        )
    return name


class SearchForm(GovukErrors, DatePartsMixin, forms.Form):
    family_name = forms.CharField(label="Family name", max_length=100, required=False)
    given_name = forms.CharField(label="Given name", max_length=100, required=False)
    dob_day = _date_part()
    dob_month = _date_part()
    dob_year = _date_part()
    gender = forms.ChoiceField(
        label="Gender",
        choices=[*Gender.CHOICES[:2], (Gender.NOT_SPECIFIED, "Not known or not specified")],
        required=False,
        widget=forms.RadioSelect,
    )
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)

    summary_anchor = "id_family_name"

    def clean_family_name(self) -> str:
        return _few_names(self.cleaned_data.get("family_name", ""), "family")

    def clean_given_name(self) -> str:
        return _few_names(self.cleaned_data.get("given_name", ""), "given")

    def clean_postcode(self) -> str:
        raw = self.cleaned_data["postcode"].strip()
        if not raw:
            return ""
        normalised = normalise_partial_postcode(raw)
        if normalised is None:
            raise forms.ValidationError(
                "Enter a real postcode, like SW1A 1AA, or the start of one, like SW1A"
            )
        return normalised

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["date_of_birth"] = self.combine_date("dob", label="date of birth", required=False)
        if "family_name" in self.errors:
            pass  # already refused as typed (too many names): one message on the box
        elif not fold(cleaned.get("family_name", "")):
            self.add_error("family_name", "Enter the child's family name")
        elif not self.errors and not self.criteria().meets_minimum():
            raise forms.ValidationError(
                "Enter a date of birth, a full postcode, or a given name and gender as well as the family name"
            )
        return cleaned

    def criteria(self) -> SearchCriteria:
        data = self.cleaned_data
        return SearchCriteria(
            family_name=data.get("family_name", ""),
            given_name=data.get("given_name", ""),
            date_of_birth=data.get("date_of_birth"),
            gender=data.get("gender", ""),
            postcode=data.get("postcode", ""),
        )


class PurposeForm(GovukErrors, forms.Form):
    purpose = forms.ChoiceField(
        label="Why are you looking at this record?",
        choices=PURPOSE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you are looking at this record"},
    )
    detail = forms.CharField(
        label="Details",
        required=False,
        max_length=500,
        help_text="Do not include names or addresses. Required if you chose another reason.",
    )

    def clean_detail(self) -> str:
        # Read by the LA team in its reports and by the child in the subject access report.
        return readable(self.cleaned_data.get("detail", ""), "The detail")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("purpose") == "other"
            and "detail" not in self.errors
            and not cleaned.get("detail", "").strip()
        ):
            self.add_error("detail", "Enter details of why you are looking at this record")
        return cleaned


class InvolvementForm(GovukErrors, DatePartsMixin, forms.Form):
    role = forms.CharField(
        label="Your role with this child", max_length=120, help_text="For example, class teacher"
    )
    phone = forms.CharField(label="Contact phone number", max_length=40)
    email = forms.EmailField(label="Contact email address", max_length=200)
    start_day = _date_part()
    start_month = _date_part()
    start_year = _date_part()
    # Asked of a sensitive service alone (`ask_basis`; `children.services.recording_sensitive`): removed
    # from every other service's form, so it is neither shown nor read from what is posted.
    recording_basis = forms.ChoiceField(
        label="On what basis are you recording this involvement?",
        choices=RecordingBasis.CHOICES,
        widget=forms.RadioSelect,
        help_text=(
            "A sensitive service may only be recorded with consent, or where there is reasonable cause "
            "to suspect significant harm"
        ),
        error_messages={
            "required": "Select the basis for recording this involvement",
            "invalid_choice": "Select the basis for recording this involvement",
        },
    )

    DUPLICATE = (
        "You are already recorded as working with this child in this role. "
        "Mark that involvement as ended before recording a new one"
    )

    def __init__(self, *args: Any, ask_basis: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask_basis:
            del self.fields["recording_basis"]

    def clean_role(self) -> str:
        return readable(self.cleaned_data.get("role", ""), "Your role")  # every practitioner reads it

    def clean_phone(self) -> str:
        return readable(self.cleaned_data.get("phone", ""), "The phone number")

    def clean_email(self) -> str:
        # Django's email check lets invisible characters through in the domain ("example.org" read back).
        return readable(self.cleaned_data.get("email", ""), "The email address")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["started_on"] = self.combine_date(
            "start", label="the start date", required=True, min_year=1990
        )
        return cleaned


class CeaseForm(GovukErrors, DatePartsMixin, forms.Form):
    end_day = _date_part()
    end_month = _date_part()
    end_year = _date_part()

    def __init__(self, *args: Any, started_on: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.started_on = started_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        ended_on = self.combine_date("end", label="the end date", required=True, min_year=1990)
        if ended_on and self.started_on and ended_on < self.started_on:
            self.add_error("end_day", "The end date must be on or after the start date")
            ended_on = None
        cleaned["ended_on"] = ended_on
        return cleaned


class LeadProfessionalForm(GovukErrors, forms.Form):
    involvement = forms.ChoiceField(
        label="Who is the lead professional?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the lead professional"},
    )
    ENDED = "That involvement has just ended: select another lead professional"
    CANNOT_ACT = (
        "That practitioner cannot be named lead professional while their account is suspended, closed "
        "or not vetted: select another lead professional"
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["involvement"])  # declared above
        field.choices = [*choices, ("none", "No lead professional")]


class CafForm(GovukErrors, forms.Form):
    caf_completed = forms.ChoiceField(
        label="Has a Common Assessment (CAF) been completed?",
        choices=(("yes", "Yes"), ("no", "No")),
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if a Common Assessment has been completed"},
    )


class OverrideForm(GovukErrors, forms.Form):
    reason = forms.CharField(
        label="Why do you need to see this shielded record now?",
        max_length=500,
        help_text="Describe the emergency. Do not include names or addresses.",
        error_messages={"required": "Enter why you need emergency access"},
    )
    understood = forms.BooleanField(
        label="I understand that this access will be investigated and the local authority is alerted now",
        error_messages={"required": "Confirm that you understand this access will be investigated"},
    )
    summary_anchor = "id_reason"

    def clean_reason(self) -> str:
        # The LA team investigating the access reads it, as written.
        return readable(self.cleaned_data.get("reason", ""), "The reason", lines=True)
