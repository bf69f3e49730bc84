"""Forms for corrections and complaints, in the GOV.UK Design System's error style."""

from datetime import date
from typing import Any

from django import forms

from accounts.wording import GovukErrors
from children.forms import DatePartsMixin, readable
from children.records import Address, Gender
from children.row_values import one_line
from children.text import TOO_MANY_PARTS, name_too_long, text_problem
from corrections.fields import NAME_KEYS, CorrectableField, earliest_birth_year
from corrections.models import Complainant, ComplaintAbout, ComplaintOutcome, ComplaintStatus
from matching.normalise import normalise_postcode

REASON_HINT = "Say how you know. Do not include anything about the child beyond this detail."
# Read by others (the raiser; the requester of a subject access report): a place can locate a shielded child.
NO_PERSONAL_DATA_HINT = "Do not include names, addresses, schools or other places."
# An accept sent without the value its page showed (a hand-made or cut-off request): nothing to check it by.
NO_VALUE_SHOWN = "Nothing was changed: check what the record says now and decide again"


def _date_part() -> forms.CharField:
    return forms.CharField(required=False, strip=True)


def _value_fields(field: CorrectableField, organisations: list[tuple[str, str]]) -> dict[str, forms.Field]:
    """The inputs for the correct value of `field`, by its kind."""
    phrase = field.phrase
    kind = field.kind
    if kind == "date":
        return {"value_day": _date_part(), "value_month": _date_part(), "value_year": _date_part()}
    if kind == "gender":
        return {
            "value": forms.ChoiceField(
                label="Correct gender",
                choices=Gender.CHOICES,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Select the correct gender",
                    "invalid_choice": "Select the correct gender",
                },
            )
        }
    if kind == "address":
        return {
            "line_1": forms.CharField(
                label="Address line 1",
                max_length=100,
                error_messages={"required": "Enter address line 1, typically the building and street"},
            ),
            "line_2": forms.CharField(label="Address line 2 (optional)", max_length=100, required=False),
            "town": forms.CharField(
                label="Town or city", max_length=100, error_messages={"required": "Enter town or city"}
            ),
            "postcode": forms.CharField(
                label="Postcode", max_length=10, error_messages={"required": "Enter postcode"}
            ),
        }
    if kind in ("school", "gp"):
        return {
            "value": forms.ChoiceField(
                label=f"Correct {phrase}",
                choices=[("", "Choose one"), *organisations],
                # A choice not offered (closed since the page was read, or typed into the request).
                error_messages={
                    "required": f"Select the correct {phrase}",
                    "invalid_choice": f"Select the correct {phrase}",
                },
            )
        }
    if kind == "email":
        return {
            "value": forms.EmailField(
                label="Correct email address",
                max_length=200,
                error_messages={"required": "Enter the correct email address"},
            )
        }
    return {
        "value": forms.CharField(
            label=f"Correct {phrase}",
            max_length=40 if kind == "phone" else 100,
            error_messages={"required": f"Enter the correct {phrase}"},
        )
    }


class _ValueInputs:
    """Adds the value inputs after the form is built and before GovukErrors words their messages."""

    correctable: CorrectableField
    organisations: list[tuple[str, str]]
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields.pop("reason")
        self.fields.update(_value_fields(self.correctable, self.organisations))
        self.fields["reason"] = reason


class CorrectionForm(GovukErrors, _ValueInputs, DatePartsMixin, forms.Form):
    """The correct value of one field (its inputs depend on the field) and why the record is wrong."""

    reason = forms.CharField(
        label="Why is the record wrong?",
        max_length=500,
        widget=forms.Textarea,
        help_text=REASON_HINT,
        error_messages={"required": "Enter why the record is wrong"},
    )

    def __init__(
        self,
        *args: Any,
        field: CorrectableField,
        organisations: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        self.correctable = field
        self.organisations = organisations or []
        super().__init__(*args, **kwargs)

    def _checked(self, name: str, label: str, *, is_name: bool = False) -> Any:
        """The input `name` if the record may hold it (children.text, as a feed's values), else an error.
        A name also has no more parts than a feed's may (`children.text.NAME_PARTS_MOST`)."""
        text = self.cleaned_data.get(name)
        if not isinstance(text, str):
            return text
        collapsed = one_line(text)
        if problem := text_problem(collapsed, name=is_name):
            raise forms.ValidationError(f"{label} {problem}")
        if is_name and name_too_long(collapsed):
            raise forms.ValidationError(f"{label} {TOO_MANY_PARTS}")
        return text

    def clean_value(self) -> Any:
        is_name = self.correctable.key in NAME_KEYS
        return self._checked("value", f"The correct {self.correctable.phrase}", is_name=is_name)

    def clean_line_1(self) -> Any:
        return self._checked("line_1", "Address line 1")

    def clean_line_2(self) -> Any:
        return self._checked("line_2", "Address line 2")

    def clean_town(self) -> Any:
        return self._checked("town", "Town or city")

    def clean_reason(self) -> str:
        # Line breaks are kept; any other control character (a separator Python counts as whitespace
        # too), an override or a zero-width one would make the reason read differently to the LA team
        # from what was written: refused as every other free text is.
        return readable(self.cleaned_data.get("reason", ""), "The reason", lines=True)

    def clean_postcode(self) -> str:
        raw = self.cleaned_data.get("postcode", "")
        normalised = normalise_postcode(raw) if raw else None
        if normalised is None:
            raise forms.ValidationError("Enter a real postcode, like SW1A 1AA")
        return normalised

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.correctable.kind == "date":
            born = self.combine_date("value", label="the correct date of birth", required=True)
            if born is not None and born.year < earliest_birth_year():  # as a feed refuses it
                self.add_error(
                    "value_day", f"The correct date of birth must be in {earliest_birth_year()} or later"
                )
                born = None
            cleaned["value"] = born
        return cleaned

    def proposed(self) -> Any:
        """The correct value in the record's sealed-column form (see corrections.fields)."""
        data = self.cleaned_data
        kind = self.correctable.kind
        if kind == "date":
            return data["value"].isoformat()
        if kind == "address":
            # Whitespace collapsed as a feed's lines are (a tab or line break is a control character).
            parts = (data["line_1"], data.get("line_2", ""), data["town"])
            lines = [one_line(part) for part in parts if part.strip()]
            return Address(lines=lines, postcode=data["postcode"]).to_json()
        if kind == "school":
            return {"organisation_id": int(data["value"]), "started_on": None}
        if kind == "gp":
            return {"organisation_id": int(data["value"])}
        return one_line(data["value"])


class CorrectionDecisionForm(GovukErrors, forms.Form):
    decision = forms.ChoiceField(
        label="Do you accept this correction?",
        choices=(("accept", "Yes, correct the record"), ("reject", "No, reject it")),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you accept this correction",
            "invalid_choice": "Select whether you accept this correction",
        },
    )
    reason = forms.CharField(
        label="Why are you rejecting it?",
        required=False,
        max_length=500,
        widget=forms.Textarea,
        help_text="Needed only if you reject it. The person who asked for it will see this. "
        + NO_PERSONAL_DATA_HINT,
    )
    # What the page showed the record says (`corrections.services.correction_current_seen`): an accept is
    # not applied over a value changed since, so one sent without it is refused (`clean`). A reject writes
    # nothing to the record and needs only its reason.
    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_reason(self) -> str:
        return readable(self.cleaned_data.get("reason", ""), "The reason", lines=True)  # the raiser reads it

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter why you are rejecting this correction")
        if cleaned.get("decision") == "accept" and not cleaned.get("shown"):
            self.add_error("decision", NO_VALUE_SHOWN)  # the page shown again carries what the record says
        return cleaned


class ComplaintForm(GovukErrors, DatePartsMixin, forms.Form):
    complainant = forms.ChoiceField(
        label="Who made the complaint?",
        choices=Complainant.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who made the complaint",
            "invalid_choice": "Select who made the complaint",
        },
    )
    about = forms.ChoiceField(
        label="What is the complaint about?",
        choices=ComplaintAbout.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what the complaint is about",
            "invalid_choice": "Select what the complaint is about",
        },
    )
    received_day = _date_part()
    received_month = _date_part()
    received_year = _date_part()
    summary = forms.CharField(
        label="Summary of the complaint",
        max_length=2000,
        widget=forms.Textarea,
        help_text=NO_PERSONAL_DATA_HINT,
    )

    def clean_summary(self) -> str:
        return readable(self.cleaned_data.get("summary", ""), "The summary", lines=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["received_on"] = self.combine_date(
            "received", label="the date the complaint was received", required=True, min_year=2000
        )
        return cleaned


class ComplaintProgressForm(GovukErrors, DatePartsMixin, forms.Form):
    """Status with its dates: acknowledged needs the acknowledgement date, closed an outcome and its date."""

    status = forms.ChoiceField(
        label="Where has the complaint got to?",
        choices=ComplaintStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select where the complaint has got to",
            "invalid_choice": "Select where the complaint has got to",
        },
    )
    acknowledged_day = _date_part()
    acknowledged_month = _date_part()
    acknowledged_year = _date_part()
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=ComplaintOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select the outcome"},
    )
    outcome_day = _date_part()
    outcome_month = _date_part()
    outcome_year = _date_part()
    outcome_detail = forms.CharField(
        label="What was decided (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text=NO_PERSONAL_DATA_HINT,
    )
    # The progress the page showed (`corrections.services.complaint_version`): saved over nothing newer.
    version = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={"required": "Open the complaint again and update its progress from there"},
    )

    def __init__(self, *args: Any, received_on: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received_on = received_on

    def clean_outcome_detail(self) -> str:
        return readable(self.cleaned_data.get("outcome_detail", ""), "What was decided", lines=True)

    def _on_or_after(self, prefix: str, value: date | None, earliest: date | None, what: str) -> date | None:
        if value is not None and earliest is not None and value < earliest:
            self.add_error(
                f"{prefix}_day", f"The {what} must be on or after {earliest.strftime('%-d %B %Y')}"
            )
            return None
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        status = cleaned.get("status")
        closed = status == ComplaintStatus.CLOSED
        acknowledged = self.combine_date(
            "acknowledged",
            label="the date the complaint was acknowledged",
            required=status in (ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.CLOSED),
            min_year=2000,
        )
        acknowledged = self._on_or_after(
            "acknowledged", acknowledged, self.received_on, "date the complaint was acknowledged"
        )
        outcome_on = self.combine_date("outcome", label="the outcome date", required=closed, min_year=2000)
        outcome_on = self._on_or_after(
            "outcome", outcome_on, acknowledged or self.received_on, "outcome date"
        )
        if closed and not cleaned.get("outcome") and "outcome" not in self.errors:
            self.add_error("outcome", "Select the outcome")
        cleaned["acknowledged_on"] = acknowledged
        cleaned["outcome_on"] = outcome_on
        return cleaned
